"""The Resource: an educational resource described with LRMI / schema.org metadata.

A Resource row holds the *effective* (published) values. What the source said lives apart, in its
`SourceLayer`; which fields a methodist changed is `overlaid_fields` (see `overlay.py`). Drafts, history and
moderation come from Wagtail's mixins: the row is the live version, drafts live in revisions.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import (
    AbstractGroupApprovalTask,
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    WorkflowMixin,
)

from content_repo.curriculum.models import CodifierElement, Grade, Level, Subject, Topic
from content_repo.vocabularies.models import Term

# Identity of harvested resources: uuid5 of "(source, external_id)", so re-harvests and resumed jobs agree.
RESOURCE_NAMESPACE = uuid.UUID("6f1c1f8e-8f2a-5b7e-9d3c-2a1e4b5c6d7e")


def resource_uuid(source: str, external_id: str) -> uuid.UUID:
    return uuid.uuid5(RESOURCE_NAMESPACE, f"{source}:{external_id}")


def _vocabulary(name: str) -> dict[str, str]:
    return {"vocabulary": name}


class Resource(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, ClusterableModel):
    """An educational resource: a lesson, a video, a test, a textbook, a course…"""

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        IN_REVIEW = "in_review", "на проверке"
        PUBLISHED = "published", "опубликован"
        REJECTED = "rejected", "отклонён"
        WITHDRAWN = "withdrawn", "снят с публикации"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField("название", max_length=500)
    description = models.TextField("описание", blank=True)
    keywords = models.JSONField("ключевые слова", default=list, blank=True)
    resource_type = models.ForeignKey(
        Term,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="тип ресурса",
        limit_choices_to=_vocabulary("resource_type"),
    )
    educational_use = ParentalManyToManyField(
        Term,
        blank=True,
        related_name="+",
        verbose_name="образовательное использование",
        limit_choices_to=_vocabulary("educational_use"),
    )
    interactivity = models.ForeignKey(
        Term,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="интерактивность",
        limit_choices_to=_vocabulary("interactivity"),
    )
    subjects = ParentalManyToManyField(Subject, blank=True, related_name="resources", verbose_name="предметы")
    grades = ParentalManyToManyField(Grade, blank=True, related_name="resources", verbose_name="классы")
    levels = ParentalManyToManyField(Level, blank=True, related_name="resources", verbose_name="уровни")
    lesson_number = models.PositiveIntegerField("номер урока", null=True, blank=True)
    language = models.ForeignKey(
        Term,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="язык",
        limit_choices_to=_vocabulary("language"),
    )
    license = models.ForeignKey(
        Term,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="лицензия",
        limit_choices_to=_vocabulary("license"),
    )
    license_terms_url = models.URLField("условия лицензии", blank=True, max_length=1000)
    access = models.ForeignKey(
        Term,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="условия доступа",
        limit_choices_to=_vocabulary("access"),
    )
    rights_holder = models.CharField("правообладатель", max_length=300, blank=True)
    provider = models.ForeignKey(
        "publishers.Organization",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name="поставщик",
    )
    authors = models.JSONField("авторы", default=list, blank=True)
    url = models.URLField("адрес у поставщика", max_length=1000, blank=True)
    embed_url = models.URLField("адрес для встраивания / видео", max_length=1000, blank=True)
    duration = models.DurationField("продолжительность", null=True, blank=True)
    typical_age_min = models.PositiveSmallIntegerField("возраст от", null=True, blank=True)
    typical_age_max = models.PositiveSmallIntegerField("возраст до", null=True, blank=True)
    accessibility_features = models.JSONField("особенности доступности", default=list, blank=True)
    thumbnail = models.ForeignKey(
        "wagtailimages.Image",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="обложка",
    )

    # Editorial state, kept on the row (not taken from revisions): see with_content_json().
    overlaid_fields = models.JSONField("поля, изменённые методистом", default=list, blank=True)
    status = models.CharField(
        "статус", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True, editable=False
    )
    status_reason = models.TextField("причина (отклонения, снятия)", blank=True, editable=False)
    withdrawn_at = models.DateTimeField("снят с публикации", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("создан", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("изменён", auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="resource")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="resource",
        for_concrete_model=False,
    )

    # Resources are referenced by collections, not the other way round; indexing every harvested resource's
    # outgoing references (Wagtail's "usage") costs a task per save and tells methodists nothing.
    wagtail_reference_index_ignore = True

    ROW_STATE_FIELDS = ("status", "status_reason", "withdrawn_at", "created_at", "created_by")

    class Meta:
        verbose_name = "ресурс"
        verbose_name_plural = "ресурсы"
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["live", "updated_at"])]
        permissions = [("review_resource", "Может проверять ресурсы (методист)")]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def with_content_json(self, content):
        """A revision's content, keeping the row's moderation state (not part of any one revision)."""
        obj = super().with_content_json(content)
        for name in self.ROW_STATE_FIELDS:
            setattr(obj, name, getattr(self, name))
        if self.pk and "alignments" not in (obj.overlaid_fields or []):
            obj.alignments = self._with_current_suggestions(obj)  # type: ignore[assignment]
        return obj

    def _with_current_suggestions(self, version: Resource) -> list[Alignment]:
        """The alignments of ``version`` (a revision's content) with the row's current engine suggestions.

        Engine suggestions are state of the row, like the moderation status: the service writes them straight
        to the row, so a revision saved earlier holds stale ones. Publishing or editing that revision keeps the
        suggestions the row has now (minus the targets the revision aligns otherwise and the rejected ones);
        a revision whose alignments a methodist owns (overlaid) is taken as it is.
        """
        from content_repo.alignment.models import RejectedSuggestion

        kept = [a for a in version.alignments.all() if not a.is_engine_suggestion]
        targets = {a.target_key for a in kept}
        rejected = set(RejectedSuggestion.objects.filter(resource_id=self.pk).values_list("code", flat=True))
        current = Alignment.objects.filter(resource_id=self.pk, status=Alignment.Status.SUGGESTED, score__isnull=False)
        current = current.select_related("topic", "codifier_element")
        fresh = [
            a
            for a in current
            if a.target_key not in targets and (a.topic or a.codifier_element).code not in rejected  # type: ignore[union-attr]
        ]
        return kept + fresh

    @property
    def source_layer_or_none(self) -> SourceLayer | None:
        try:
            return self.source_layer
        except SourceLayer.DoesNotExist:
            return None


class SourceLayer(models.Model):
    """What the origin source last said about a resource, and its provenance.

    Kept apart from the Resource (and from its revisions) so that a harvest never touches editorial content
    and a methodist's draft never rewinds what the source said.
    """

    resource = models.OneToOneField(Resource, models.CASCADE, related_name="source_layer")
    source = models.CharField("источник", max_length=64)
    external_id = models.CharField("внешний идентификатор", max_length=300)
    source_url = models.URLField("адрес записи в источнике", max_length=1000, blank=True)
    data = models.JSONField("значения источника", default=dict)
    content_hash = models.CharField("хеш содержимого", max_length=64, blank=True)
    first_seen = models.DateTimeField("впервые получен", default=timezone.now)
    last_seen = models.DateTimeField("последний раз получен", default=timezone.now)
    withdrawn_at = models.DateTimeField("исчез из источника", null=True, blank=True)
    withdrawn_reason = models.CharField("причина", max_length=300, blank=True)

    class Meta:
        verbose_name = "данные источника"
        verbose_name_plural = "данные источников"
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="unique_source_external_id")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ResourcePart(Orderable):
    """A part of a lesson with its own URL: «начнём урок», основная часть, конспект, тренировочные, контрольные."""

    class Kind(models.TextChoices):
        START = "start", "Начнём урок"
        MAIN = "main", "Основная часть"
        SUMMARY = "summary", "Конспект"
        TRAINING = "training", "Тренировочные задания"
        CONTROL = "control", "Контрольные задания"
        OTHER = "other", "Другое"

    resource = ParentalKey(Resource, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField("часть", max_length=16, choices=Kind.choices)
    title = models.CharField("название", max_length=300, blank=True)
    url = models.URLField("адрес", max_length=1000)

    class Meta(Orderable.Meta):
        verbose_name = "часть урока"
        verbose_name_plural = "части урока"

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Alignment(Orderable):
    """An LRMI AlignmentObject: the resource teaches / assesses / requires a topic or a codifier element."""

    class Type(models.TextChoices):
        TEACHES = "teaches", "обучает"
        ASSESSES = "assesses", "проверяет"
        REQUIRES = "requires", "требует"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "подтверждена"
        SUGGESTED = "suggested", "предложена"

    resource = ParentalKey(Resource, on_delete=models.CASCADE, related_name="alignments")
    topic = models.ForeignKey(
        Topic, models.PROTECT, null=True, blank=True, related_name="alignments", verbose_name="тема программы"
    )
    codifier_element = models.ForeignKey(
        CodifierElement,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="alignments",
        verbose_name="элемент кодификатора",
    )
    alignment_type = models.CharField("вид связи", max_length=16, choices=Type.choices, default=Type.TEACHES)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.SUGGESTED)
    # Set by the suggestion engine (content_repo/alignment): how well the node explains the resource, and why.
    score = models.FloatField("оценка подсказки", null=True, blank=True)
    explanation = models.TextField("почему предложена", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="подтвердил",
    )
    confirmed_at = models.DateTimeField("подтверждена", null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "привязка к программе"
        verbose_name_plural = "привязки к программе"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(topic__isnull=False) | models.Q(codifier_element__isnull=False),
                name="alignment_has_target",
            )
        ]
        indexes = [models.Index(fields=["status", "score"], name="alignment_status_score")]

    def __str__(self) -> str:
        return str(self.topic or self.codifier_element)

    @property
    def target(self) -> Topic | CodifierElement | None:
        return self.topic or self.codifier_element

    @property
    def target_key(self) -> str:
        """The target as the overlay writes it: a topic code or ``codifier:<code>`` (ids resolved lazily)."""
        if self.topic_id:
            return f"topic:{self.topic_id}"
        return f"codifier:{self.codifier_element_id}"

    @property
    def is_engine_suggestion(self) -> bool:
        """Written by the suggestion engine and not yet decided: the engine keeps such rows up to date.

        Alignments a source sent (suggested, no score) and confirmed ones are never the engine's.
        """
        return self.status == self.Status.SUGGESTED and self.score is not None


class ResourceRelation(Orderable):
    """A relation to another resource (or to an outside URL): is part of, is based on, duplicate of."""

    class Kind(models.TextChoices):
        IS_PART_OF = "is_part_of", "входит в"
        IS_BASED_ON = "is_based_on", "основан на"
        DUPLICATE_OF = "duplicate_of", "дубликат"

    resource = ParentalKey(Resource, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    target = models.ForeignKey(
        Resource, models.CASCADE, null=True, blank=True, related_name="+", verbose_name="ресурс каталога"
    )
    target_url = models.URLField("или внешний адрес", max_length=1000, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = "связь"
        verbose_name_plural = "связи"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target or self.target_url}"


class ResourceFile(Orderable):
    """A file attached to a resource (a document, presentation, audio, video or package)."""

    class Role(models.TextChoices):
        WORKSHEET = "worksheet", "рабочий лист"
        PRESENTATION = "presentation", "презентация"
        ANSWER_KEY = "answer_key", "ответы и решения"
        LESSON_PLAN = "lesson_plan", "конспект, методические указания"
        TEXTBOOK = "textbook", "учебный текст"
        MEDIA = "media", "видео, аудио"
        PACKAGE = "package", "пакет (SCORM, IMSCC)"
        OTHER = "other", "другое"

    resource = ParentalKey(Resource, on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey("storage.StoredFile", models.PROTECT, related_name="attachments", verbose_name="файл")
    title = models.CharField("подпись", max_length=300, blank=True)
    role = models.CharField("назначение", max_length=16, choices=Role.choices, default=Role.OTHER)

    class Meta(Orderable.Meta):
        verbose_name = "файл"
        verbose_name_plural = "файлы"

    def __str__(self) -> str:
        return self.title or str(self.file)


class MethodistApprovalTask(AbstractGroupApprovalTask):
    """Group approval where a rejection («вернуть на доработку») always carries the methodist's reason."""

    def get_form_for_action(self, action):
        from .forms import RejectionForm

        if action == "reject":
            return RejectionForm
        return super().get_form_for_action(action)

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        provider_id = getattr(obj, "provider_id", None)
        if provider_id is not None and self._is_member(user, provider_id):
            # Four eyes: an organisation's own staff and keys never approve its submissions.
            actions = [action for action in actions if action[0] not in ("approve", "approve_with_comment")]
        return actions

    @staticmethod
    def _is_member(user, organization_id) -> bool:
        from content_repo.publishers.models import Membership

        return Membership.objects.filter(user=user, organization_id=organization_id).exists()

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name.startswith("approve"):
            provider_id = getattr(task_state.revision.content_object, "provider_id", None)
            if provider_id is not None and self._is_member(user, provider_id):
                raise PermissionDenied("Ресурсы своей организации утверждает методист другой организации")
        if action_name == "reject" and not (kwargs.get("comment") or "").strip():
            raise ValueError("Отклонение требует комментария с причиной")
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "Методисты проверяют ресурс; отклонение — только с указанием причины"

    class Meta:
        verbose_name = "проверка методистом"
        verbose_name_plural = "проверки методистом"
