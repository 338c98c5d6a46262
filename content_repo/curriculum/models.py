"""The federal curriculum the catalog aligns to: frameworks, levels, subjects, the topic tree, codifiers.

Every node has a stable `code` (its identity across dataset editions: a changed title updates the node, never
replaces it) and a stable URI under the API (`uri`), which AlignmentObjects in JSON-LD point at.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


def api_uri(kind: str, code: str) -> str:
    return f"{settings.CATALOG_BASE_URL}/api/v1/curriculum/{kind}/{code}"


class Framework(models.Model):
    """A normative framework: ФГОС НОО/ООО/СОО, ФОП 2023, ФРП 2025, ФИПИ codifiers."""

    code = models.SlugField("код", max_length=64, unique=True)
    title = models.CharField("название", max_length=500)
    legal_act = models.CharField("нормативный акт", max_length=500, blank=True)
    levels = models.JSONField("уровни", default=list, blank=True)
    grades = models.JSONField("классы", default=list, blank=True)
    parent = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, verbose_name="входит в")
    source = models.TextField("источник данных", blank=True)

    class Meta:
        verbose_name = "нормативный документ"
        verbose_name_plural = "нормативные документы"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def uri(self) -> str:
        return api_uri("frameworks", self.code)


class Level(models.Model):
    """A level of general education: НОО (1–4), ООО (5–9), СОО (10–11)."""

    code = models.CharField("код", max_length=8, unique=True)
    title = models.CharField("название", max_length=200)
    short_title = models.CharField("сокращение", max_length=16)
    grades = models.JSONField("классы", default=list)

    class Meta:
        verbose_name = "уровень образования"
        verbose_name_plural = "уровни образования"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.short_title


class Grade(models.Model):
    """A school grade, 1–11 (a table rather than a number so resources can be filtered by several)."""

    number = models.PositiveSmallIntegerField("класс", primary_key=True)
    level = models.ForeignKey(Level, models.PROTECT, related_name="grade_set", verbose_name="уровень")

    class Meta:
        verbose_name = "класс"
        verbose_name_plural = "классы"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} класс"


class Subject(models.Model):
    """A school subject of the federal curriculum, with a stable code such as `algebra`."""

    code = models.SlugField("код", max_length=64, unique=True)
    title = models.CharField("название", max_length=300)
    levels = models.ManyToManyField(Level, verbose_name="уровни", blank=True)
    grades = models.JSONField("классы", default=list)
    variants = models.JSONField("варианты программы", default=list, blank=True)
    hours_by_grade = models.JSONField("часов в год по классам", default=dict, blank=True)
    has_topics = models.BooleanField("темы загружены", default=False)
    source = models.TextField("источник данных", blank=True)

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def uri(self) -> str:
        return api_uri("subjects", self.code)


class Topic(models.Model):
    """A node of a subject's thematic plan for one grade and variant: a section (раздел) or a topic (тема)."""

    class Kind(models.TextChoices):
        SECTION = "section", "раздел"
        TOPIC = "topic", "тема"
        CONTENT_SECTION = "content_section", "раздел содержания"

    class Variant(models.TextChoices):
        NONE = "", "—"
        BASIC = "базовый", "базовый"
        ADVANCED = "углублённый", "углублённый"

    code = models.CharField("код", max_length=100, unique=True)
    subject = models.ForeignKey(Subject, models.PROTECT, related_name="topics", verbose_name="предмет")
    grade = models.ForeignKey(Grade, models.PROTECT, related_name="topics", verbose_name="класс")
    level = models.ForeignKey(Level, models.PROTECT, related_name="topics", verbose_name="уровень")
    variant = models.CharField("вариант", max_length=16, choices=Variant.choices, blank=True)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    number = models.CharField("номер", max_length=32, blank=True)
    title = models.TextField("название")
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name="раздел"
    )
    order = models.PositiveIntegerField("порядок", default=0)
    hours = models.DecimalField("часов", max_digits=6, decimal_places=1, null=True, blank=True)
    framework = models.ForeignKey(Framework, models.PROTECT, verbose_name="программа", null=True, blank=True)
    source = models.TextField("источник данных", blank=True)

    class Meta:
        verbose_name = "тема программы"
        verbose_name_plural = "темы программы"
        ordering = ["subject__code", "grade", "variant", "order"]
        indexes = [models.Index(fields=["subject", "grade", "variant", "order"])]

    def __str__(self) -> str:
        prefix = f"{self.number}. " if self.number else ""
        return f"{self.subject.title}, {self.grade_id} кл.: {prefix}{self.title}"

    @property
    def uri(self) -> str:
        return api_uri("topics", self.code)


class CodifierElement(models.Model):
    """An element of a ФИПИ codifier (ОГЭ/ЕГЭ): a content element or a checked requirement, e.g. `1.1.1`."""

    code = models.CharField("код", max_length=120, unique=True, help_text="«набор:номер», стабилен")
    codifier = models.CharField("кодификатор", max_length=64, db_index=True)
    exam = models.CharField("экзамен", max_length=8)
    year = models.PositiveSmallIntegerField("год", null=True, blank=True)
    edition = models.CharField("редакция", max_length=300, blank=True)
    subject = models.ForeignKey(Subject, models.PROTECT, null=True, blank=True, verbose_name="предмет")
    kind = models.CharField("вид", max_length=40)
    element_code = models.CharField("номер элемента", max_length=32)
    title = models.TextField("формулировка")
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name="родитель"
    )
    order = models.PositiveIntegerField("порядок", default=0)
    extra = models.JSONField("прочее", default=dict, blank=True)
    source = models.TextField("источник данных", blank=True)

    class Meta:
        verbose_name = "элемент кодификатора"
        verbose_name_plural = "элементы кодификаторов"
        ordering = ["codifier", "order"]

    def __str__(self) -> str:
        return f"{self.exam} {self.year} {self.element_code}: {self.title[:80]}"

    @property
    def uri(self) -> str:
        return api_uri("codifier-elements", self.code)
