"""Serializers of what clients send (publishing, review, webhooks) and of the answers to it.

Field values are plain codes, the same ones the read API shows as `code`: `subjects: ["math"]`,
`license: "cc-by-4.0"`, `alignments: [{"target": "<topic code>", "type": "teaches"}]`. Types are checked
here; codes are checked against the vocabularies and the curriculum by `resources.validation`.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content_repo.resources.models import Alignment, Resource, ResourceFile, ResourcePart

from .models import BulkSubmission, BulkSubmissionLine, Change, WebhookDelivery, WebhookSubscription
from .publishing import submitted_values
from .webhook_transport import validate_webhook_url


class RejectUnknownFieldsMixin:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))  # type: ignore[attr-defined]
            if unknown:
                raise serializers.ValidationError({name: ["неизвестное поле"] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class PartInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResourcePart.Kind.choices)
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=1000)


class FileInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    upload = serializers.UUIDField(help_text="id загрузки из POST /api/v1/uploads/ (назначение attachment или package)")
    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=ResourceFile.Role.choices, default=ResourceFile.Role.OTHER)


class AlignmentInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    target = serializers.CharField(max_length=130, help_text="код темы программы или `codifier:<код элемента>`")
    type = serializers.ChoiceField(choices=Alignment.Type.choices, default=Alignment.Type.TEACHES)


def _codes(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=100), required=False, **kwargs)


def _code(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True, **kwargs)


class ResourceInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """A resource as a vendor sends it in the catalog's field names; on PATCH every field is optional.

    This serializer documents the request in the OpenAPI schema; the intake (`content_repo.intake.documents`)
    reads and checks the body, in this format or as a JSON-LD `LearningResource`, so every problem is reported
    at once and the bulk endpoint applies the same rules. A test keeps the two lists of fields equal.
    """

    external_id = serializers.CharField(
        max_length=300, required=False, help_text="ваш постоянный идентификатор; повторная отправка обновляет ресурс"
    )
    title = serializers.CharField(max_length=500)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    keywords = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=100)
    resource_type = _code(help_text="код типа ресурса (словарь resource_type)")
    educational_use = _codes()
    interactivity = _code()
    subjects = _codes(help_text="коды предметов, /api/v1/curriculum/subjects/")
    grades = serializers.ListField(child=serializers.IntegerField(), required=False)
    levels = _codes(help_text="NOO, OOO, SOO; по умолчанию — по классам")
    lesson_number = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True)
    language = _code()
    license = _code()
    license_terms_url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    access = _code()
    rights_holder = serializers.CharField(max_length=300, required=False, allow_blank=True)
    authors = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=100)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    embed_url = serializers.URLField(max_length=1000, required=False, allow_blank=True)
    duration = serializers.CharField(max_length=32, required=False, allow_null=True, help_text="ISO 8601, PT45M")
    typical_age_min = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)
    typical_age_max = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)
    accessibility_features = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, max_length=100
    )
    parts = PartInputSerializer(many=True, required=False, max_length=100)
    alignments = AlignmentInputSerializer(many=True, required=False, max_length=100)
    files = FileInputSerializer(
        many=True, required=False, max_length=20, help_text="файлы ресурса; не указаны — остаются прежними"
    )
    thumbnail = serializers.UUIDField(
        required=False, allow_null=True, help_text="обложка: id загрузки с назначением cover_image"
    )


class SubmissionSerializer(serializers.ModelSerializer):
    """A vendor's resource with its moderation status and, when rejected or withdrawn, the reason."""

    external_id = serializers.SerializerMethodField()
    provider = serializers.SlugRelatedField(slug_field="code", read_only=True)
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "external_id",
            "provider",
            "title",
            "status",
            "status_reason",
            "live",
            "has_unpublished_changes",
            "public_url",
            "created_at",
            "updated_at",
        ]

    def get_external_id(self, obj) -> str | None:
        layer = obj.source_layer_or_none
        return layer.external_id if layer else None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_public_url(self, obj) -> str | None:
        return f"{settings.CATALOG_BASE_URL}/api/v1/resources/{obj.pk}/" if obj.live else None


class SubmissionDetailSerializer(SubmissionSerializer):
    values = serializers.SerializerMethodField()

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "values"]

    @extend_schema_field({"type": "object", "additionalProperties": True, "description": "последняя версия (коды)"})
    def get_values(self, obj) -> dict:
        return submitted_values(obj)


class SubmissionOutcomeSerializer(SubmissionDetailSerializer):
    outcome = serializers.SerializerMethodField()

    class Meta(SubmissionDetailSerializer.Meta):
        fields = [*SubmissionDetailSerializer.Meta.fields, "outcome"]

    @extend_schema_field(serializers.ChoiceField(choices=["created", "updated", "unchanged"]))
    def get_outcome(self, obj) -> str:
        return self.context["outcome"]


class ReasonSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)


class OptionalReasonSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, default="снят поставщиком")


class CommentSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class FeedItemResultSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "rejected"])
    id = serializers.UUIDField(allow_null=True)
    external_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class FeedSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()


class FeedResultSerializer(serializers.Serializer):
    results = FeedItemResultSerializer(many=True)
    summary = FeedSummarySerializer()


class BulkSubmissionSerializer(serializers.ModelSerializer):
    """A bulk submission loaded in the background: its state, counts, and its line results' address."""

    status_url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = BulkSubmission
        fields = [
            "id",
            "state",
            "lines",
            "answered",
            "summary",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "status_url",
            "results_url",
        ]

    def get_status_url(self, obj) -> str:
        return f"{settings.CATALOG_BASE_URL}/api/v1/resources/bulk/{obj.pk}/"

    def get_results_url(self, obj) -> str:
        return f"{settings.CATALOG_BASE_URL}/api/v1/resources/bulk/{obj.pk}/results/"

    @extend_schema_field(FeedSummarySerializer)
    def get_summary(self, obj) -> dict[str, int]:
        return {name: getattr(obj, name) for name in obj.COUNT_FIELDS}


class BulkLineSerializer(serializers.ModelSerializer):
    """One line's result of a background bulk submission (the shape of an inline answer's line)."""

    id = serializers.UUIDField(source="resource_id", allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    class Meta:
        model = BulkSubmissionLine
        fields = ["line", "status", "id", "external_id", "errors"]


class ChangeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="resource_id")
    resource = serializers.JSONField(source="document", allow_null=True, help_text="как в /resources/{id}/")

    class Meta:
        model = Change
        fields = ["seq", "action", "id", "at", "resource"]


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.URLField(allow_null=True)
    cursor = serializers.IntegerField(help_text="передайте как `since` в следующем запросе")


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 1000})
class WebhookUrlField(serializers.CharField):
    """The model's checks (`validate_webhook_url`: one precise Russian message), documented as a URI."""


class WebhookSubscriptionSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    """A subscription and the state of its delivery (circuit breaking: see the webhooks section of docs/api.md)."""

    url = WebhookUrlField(max_length=1000, validators=[validate_webhook_url])
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookSubscription.Event.choices), allow_empty=False
    )
    secret = serializers.CharField(
        write_only=True, required=False, min_length=16, max_length=200, help_text="по умолчанию — сгенерированный"
    )
    active = serializers.BooleanField(
        default=True, help_text="`false` — создать выключенной: уведомления не пишутся, пока её не включат (PATCH)"
    )
    circuit = serializers.ChoiceField(
        choices=WebhookSubscription.Circuit.choices,
        read_only=True,
        help_text="`closed` — доставка идёт; `open` — приостановлена до `paused_until` после "
        "`consecutive_failures` неудач подряд; `half_open` — пауза истекла, следующая попытка пробная",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "secret", "active", "circuit", "consecutive_failures", "paused_until"]
        fields += ["created_at"]
        read_only_fields = ["id", "consecutive_failures", "paused_until", "created_at"]


class WebhookCreatedSerializer(WebhookSubscriptionSerializer):
    """The answer to a subscription: the only one that shows the secret."""

    secret = serializers.CharField(read_only=True)


class WebhookActivationSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    active = serializers.BooleanField(
        help_text="`true` включает доставку и снимает паузу после отказов; `false` — новые уведомления не пишутся"
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "last_attempt_at",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "payload",
        ]
