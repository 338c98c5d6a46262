"""Curated, ordered collections of resources (подборки)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import DraftStateMixin, Orderable, RevisionMixin


class Collection(DraftStateMixin, RevisionMixin, ClusterableModel):
    """A methodist's selection: «Дроби, 5 класс», «Подготовка к ОГЭ по математике»."""

    title = models.CharField("название", max_length=300)
    slug = models.SlugField("адрес (slug)", max_length=120, unique=True)
    description = models.TextField("описание", blank=True)
    subject = models.ForeignKey(
        "curriculum.Subject", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="предмет"
    )
    grades = ParentalManyToManyField("curriculum.Grade", blank=True, related_name="+", verbose_name="классы")
    cover = models.ForeignKey(
        "wagtailimages.Image",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="обложка",
    )
    updated_at = models.DateTimeField("изменена", auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="catalog_collection")

    class Meta:
        verbose_name = "подборка"
        verbose_name_plural = "подборки"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions


class CollectionItem(Orderable):
    collection = ParentalKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey("resources.Resource", models.CASCADE, related_name="+", verbose_name="ресурс")
    note = models.CharField("комментарий методиста", max_length=500, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "элемент подборки"
        verbose_name_plural = "элементы подборки"

    def __str__(self) -> str:
        return str(self.resource)
