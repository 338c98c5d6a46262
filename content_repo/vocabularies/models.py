"""Controlled vocabularies: one table of terms, grouped by vocabulary, loaded from data (not code)."""

from django.db import models


class Term(models.Model):
    """A term of a controlled vocabulary: a stable code, a Russian label and its LRMI/schema.org match."""

    class Vocabulary(models.TextChoices):
        RESOURCE_TYPE = "resource_type", "тип ресурса"
        EDUCATIONAL_USE = "educational_use", "образовательное использование"
        INTERACTIVITY = "interactivity", "интерактивность"
        ACCESS = "access", "условия доступа"
        LICENSE = "license", "лицензия"
        LANGUAGE = "language", "язык"
        ACCESSIBILITY = "accessibility", "доступность"

    vocabulary = models.CharField("словарь", max_length=32, choices=Vocabulary.choices)
    code = models.CharField("код", max_length=64)
    label = models.CharField("название", max_length=200)
    term = models.CharField("термин LRMI / schema.org", max_length=200, blank=True)
    uri = models.URLField("URI", blank=True)
    order = models.PositiveIntegerField("порядок", default=0)
    extra = models.JSONField("свойства", default=dict, blank=True)

    class Meta:
        verbose_name = "термин словаря"
        verbose_name_plural = "словари"
        ordering = ["vocabulary", "order"]
        constraints = [models.UniqueConstraint(fields=["vocabulary", "code"], name="unique_term_code")]

    def __str__(self) -> str:
        return self.label
