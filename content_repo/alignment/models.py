"""What the alignment service remembers besides the Alignment rows themselves (``resources.Alignment``).

- :class:`RejectedSuggestion` — a node a methodist refused for a resource: never suggested to it again.
- :class:`ResourceIdentity` — a resource's near-identity keys (``reading.identity_keys``), kept so that a
  batch finds the near-identical resources whose confirmed alignments are hints with one indexed query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RejectedSuggestion(models.Model):
    """A curriculum node (topic or codifier element code, as the engine names it) refused for a resource."""

    resource = models.ForeignKey(
        "resources.Resource", models.CASCADE, related_name="rejected_suggestions", verbose_name="ресурс"
    )
    code = models.CharField("код узла", max_length=120)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="отклонил"
    )
    rejected_at = models.DateTimeField("отклонена", default=timezone.now)

    class Meta:
        verbose_name = "отклонённая подсказка"
        verbose_name_plural = "отклонённые подсказки"
        constraints = [models.UniqueConstraint(fields=["resource", "code"], name="unique_rejected_suggestion")]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.code}"


class ResourceIdentity(models.Model):
    """The near-identity keys of a resource: cleaned title stems, lesson series and number, subjects, grades."""

    resource = models.OneToOneField(
        "resources.Resource", models.CASCADE, primary_key=True, related_name="alignment_identity"
    )
    title_key = models.CharField("основы названия", max_length=500, db_index=True)
    series_key = models.CharField("серия уроков", max_length=300, blank=True, db_index=True)
    lesson_number = models.PositiveIntegerField("номер урока", null=True, blank=True)
    subjects = models.CharField("предметы", max_length=300, blank=True)
    grades = models.CharField("классы", max_length=60, blank=True)

    class Meta:
        verbose_name = "ключи похожих ресурсов"
        verbose_name_plural = "ключи похожих ресурсов"

    def __str__(self) -> str:
        return self.title_key
