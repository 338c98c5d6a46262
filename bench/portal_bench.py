"""Portal benchmark: server time and weight of each page type of the teachers' site on the demo catalog.

    .venv/bin/python bench/portal_bench.py              # 20 rounds
    .venv/bin/python bench/portal_bench.py --rounds 50

A throwaway SQLite database (its own VAR_DIR) is migrated and filled with the demo catalog by the real
importers (``load_demo_catalog``, as ``make run`` does), with the ``database`` search backend. Each page is
requested through Django's test client (the whole server side: URL routing, the API's services, templates;
no network), after two warm-up rounds. Printed per page type: p50 and p95 server time, the HTML size, and the
weight of the page with its stylesheet and script, plain and gzip-compressed (what a school's slow line
carries). Targets (issue 11): the search page under 100 KB and under 150 ms at p95.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEARCHES = [
    "/search/?q=дроби+5+класс",
    "/search/?q=впр+математика+4+класс",
    "/search/?q=таблица+умножения",
    "/search/?q=lhj,b",
    "/search/?q=тиорема+виета",
    "/search/?q=урок&subject=informatics&grade=8&grade=9",
    "/search/?q=контрольная+работа+7+класс",
    "/search/?subject=physics&sort=title",
    "/search/?q=дроби+квазары",
    "/search/?q=текст&type=theory",
]
PAGES = {
    "home": ["/"],
    "search": SEARCHES,
    "curriculum": ["/curriculum/", "/curriculum/math/", "/curriculum/physics/7/", "/curriculum/history/8/"],
    "topic": ["/curriculum/topics/math.5.3/", "/curriculum/topics/algebra.8.5/", "/curriculum/topics/physics.7.2/"],
    "collections": ["/collections/"],
    "sitemap": ["/sitemap.xml"],
}
STATIC = ["portal/static/portal/portal.css", "portal/static/portal/portal.js"]
TARGET_KB = 100
TARGET_P95_MS = 150


def setup(workdir: Path) -> None:
    os.environ.update(
        VAR_DIR=str(workdir),
        DATABASE_URL=f"sqlite:///{workdir / 'portal.sqlite3'}",
        SEARCH_BACKEND="database",
        DJANGO_SETTINGS_MODULE="content_repo.settings",
        LOG_LEVEL="ERROR",
        DEBUG="false",
        SECRET_KEY="portal-bench",
        ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from importers.demo import load_demo_catalog
    from search.backends import get_search_backend
    from search.indexing import published_documents

    call_command("migrate", verbosity=0)
    load_demo_catalog()
    get_search_backend("database").rebuild(published_documents())


def resource_pages(count: int) -> list[str]:
    from content_repo.resources.models import Resource

    ids = sorted(str(pk) for pk in Resource.objects.filter(live=True).values_list("pk", flat=True))
    return [f"/resources/{pk}/" for pk in random.Random(7).sample(ids, min(count, len(ids)))]


def measure(rounds: int) -> dict[str, tuple[float, float, int, int]]:
    """Per page type: p50 and p95 in ms, the largest HTML in bytes and its gzip size."""
    from django.test import Client

    client = Client()
    pages = {**PAGES, "resource": resource_pages(10)}
    for _ in range(2):  # warm-up: per-process copies (facet values, vocabulary) and template caches
        for urls in pages.values():
            for url in urls:
                assert client.get(url).status_code == 200, url
    figures = {}
    for name, urls in pages.items():
        samples: list[float] = []
        largest = b""
        for _ in range(rounds):
            for url in urls:
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, url
                largest = max(largest, response.content, key=len)
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        figures[name] = (statistics.median(ordered) * 1000, p95 * 1000, len(largest), len(gzip.compress(largest)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    static = [(ROOT / path).read_bytes() for path in STATIC]
    static_plain, static_gzip = sum(map(len, static)), sum(len(gzip.compress(body)) for body in static)
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as workdir:
        started = time.perf_counter()
        setup(Path(workdir))
        from content_repo.resources.models import Resource

        published = Resource.objects.filter(live=True).count()
        print(f"demo catalog: {published} published resources, set up in {time.perf_counter() - started:.1f} s")
        figures = measure(args.rounds)
    assets = f"{static_plain / 1024:.1f} KB ({static_gzip / 1024:.1f} KB gzip)"
    print(f"\nstylesheet + script: {assets}, cached by the browser after the first page")
    print(f"{'page':12} {'p50 ms':>7} {'p95 ms':>7} {'HTML KB':>8} {'page+assets KB':>15} {'gzip KB':>8}")
    for name, (p50, p95, html, html_gzip) in figures.items():
        total, total_gzip = (html + static_plain) / 1024, (html_gzip + static_gzip) / 1024
        print(f"{name:12} {p50:7.1f} {p95:7.1f} {html / 1024:8.1f} {total:15.1f} {total_gzip:8.1f}")
    p50, p95, html, _ = figures["search"]
    weight = (html + static_plain) / 1024
    verdict = "met" if weight < TARGET_KB and p95 < TARGET_P95_MS else "MISSED"
    target = f"target < {TARGET_KB} KB, < {TARGET_P95_MS} ms"
    print(f"\nsearch page: {weight:.1f} KB with assets, p95 {p95:.1f} ms — {target}: {verdict}")


if __name__ == "__main__":
    main()
