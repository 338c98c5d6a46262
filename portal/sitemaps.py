"""``/sitemap.xml``: the pages worth indexing — published resources, collections, the curriculum browser."""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap

from content_repo.api.views.read import published_collections, published_resources
from content_repo.curriculum.models import Subject


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self) -> list[str]:
        return ["/", "/curriculum/", "/collections/"]

    def location(self, item: str) -> str:
        return item


class ResourcesSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 10_000

    def items(self) -> Any:
        return published_resources().order_by("id").values("id", "updated_at")

    def location(self, item: dict[str, Any]) -> str:
        return f"/resources/{item['id']}/"

    def lastmod(self, item: dict[str, Any]) -> Any:
        return item["updated_at"]


class CollectionsSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self) -> Any:
        return published_collections().order_by("slug").values("slug", "updated_at")

    def location(self, item: dict[str, Any]) -> str:
        return f"/collections/{item['slug']}/"

    def lastmod(self, item: dict[str, Any]) -> Any:
        return item["updated_at"]


class CurriculumSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self) -> list[str]:
        pages = []
        for code, grades in Subject.objects.filter(has_topics=True).order_by("code").values_list("code", "grades"):
            pages.append(f"/curriculum/{code}/")
            pages.extend(f"/curriculum/{code}/{grade}/" for grade in grades)
        return pages

    def location(self, item: str) -> str:
        return item


SITEMAPS = {
    "pages": PagesSitemap,
    "resources": ResourcesSitemap,
    "collections": CollectionsSitemap,
    "curriculum": CurriculumSitemap,
}
