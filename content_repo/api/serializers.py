"""Read serializers of API v1. Field names are English and stable; labels are Russian."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content_repo.collections.models import Collection
from content_repo.curriculum.models import CodifierElement, Framework, Subject, Topic
from content_repo.publishers.models import Organization
from content_repo.resources.attachments import attachment_store
from content_repo.resources.durations import iso_duration
from content_repo.resources.models import Alignment, Resource, ResourceFile, ResourcePart
from content_repo.vocabularies.models import Term


class TermSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["code", "label", "uri"]


class SubjectRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subject
        fields = ["code", "title"]


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["code", "name"]


class FrameworkSerializer(serializers.ModelSerializer):
    uri = serializers.CharField(read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Framework
        fields = ["code", "uri", "title", "legal_act", "levels", "grades", "parent", "source"]


class SubjectSerializer(serializers.ModelSerializer):
    uri = serializers.CharField(read_only=True)
    levels = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Subject
        fields = ["code", "uri", "title", "levels", "grades", "variants", "hours_by_grade", "has_topics"]


class TopicSerializer(serializers.ModelSerializer):
    uri = serializers.CharField(read_only=True)
    subject = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grade = serializers.IntegerField(source="grade_id", read_only=True)
    level = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    hours = serializers.FloatField(allow_null=True, read_only=True)

    class Meta:
        model = Topic
        fields = [
            "code",
            "uri",
            "title",
            "subject",
            "grade",
            "level",
            "variant",
            "kind",
            "number",
            "parent",
            "order",
            "hours",
            "source",
        ]


class TopicResourcesSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="список опубликованных ресурсов, привязанных к теме (раздел — и к его темам)")
    confirmed = serializers.IntegerField(help_text="ресурсов с подтверждённой привязкой")
    suggested = serializers.IntegerField(help_text="ресурсов только с предложенными привязками")


class TopicDetailSerializer(TopicSerializer):
    resources = serializers.SerializerMethodField()

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "resources"]

    @extend_schema_field(TopicResourcesSerializer)
    def get_resources(self, obj) -> dict:
        codes = [obj.code, *Topic.objects.filter(parent=obj).values_list("code", flat=True)]
        rows = Alignment.objects.filter(topic__code__in=codes, resource__live=True).values_list("resource_id", "status")
        confirmed = {pk for pk, status in rows if status == Alignment.Status.CONFIRMED}
        suggested = {pk for pk, status in rows if status != Alignment.Status.CONFIRMED} - confirmed
        return {"url": f"{obj.uri}/resources/", "confirmed": len(confirmed), "suggested": len(suggested)}


class CodifierElementSerializer(serializers.ModelSerializer):
    uri = serializers.CharField(read_only=True)
    subject = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = CodifierElement
        fields = [
            "code",
            "uri",
            "codifier",
            "exam",
            "year",
            "edition",
            "subject",
            "kind",
            "element_code",
            "title",
            "parent",
            "source",
        ]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "site", "description"]


class PartSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResourcePart
        fields = ["kind", "title", "url"]


class OrderedAlignmentListSerializer(serializers.ListSerializer):
    """A resource's alignments: confirmed first, then suggestions by score (see :func:`ordered_alignments`)."""

    def to_representation(self, data):
        items = data.all() if hasattr(data, "all") else data
        return [self.child.to_representation(item) for item in ordered_alignments(items)]


class AlignmentSerializer(serializers.ModelSerializer):
    """A curriculum alignment: `confirmed` by a methodist, or `suggested` (by the engine, with its `score`,
    or by the source, without one)."""

    target_type = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField()
    uri = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField(
        help_text="класс темы программы (у тем с одинаковым названием в разных классах); "
        "у элементов кодификатора — null"
    )
    score = serializers.SerializerMethodField()

    class Meta:
        model = Alignment
        fields = ["target_type", "code", "uri", "title", "grade", "alignment_type", "status", "score"]
        list_serializer_class = OrderedAlignmentListSerializer

    @extend_schema_field(
        {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "nullable": True,
            "description": "оценка подсказки (0–1) — только у предложенных автоматически; у подтверждённых и "
            "указанных источником — null",
        }
    )
    def get_score(self, obj) -> float | None:
        return obj.score if obj.status == Alignment.Status.SUGGESTED else None

    def get_target_type(self, obj) -> str:
        return "topic" if obj.topic_id else "codifier_element"

    def get_code(self, obj) -> str:
        return obj.target.code

    def get_uri(self, obj) -> str:
        return obj.target.uri

    def get_title(self, obj) -> str:
        return obj.target.title

    def get_grade(self, obj) -> int | None:
        return obj.topic.grade_id if obj.topic_id else None


class FileSerializer(serializers.Serializer):
    """A file of a resource (documents the shape `resource_files` gives)."""

    id = serializers.UUIDField(allow_null=True, help_text="id загрузки организации-поставщика")
    title = serializers.CharField()
    role = serializers.ChoiceField(choices=ResourceFile.Role.choices)
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    download_url = serializers.URLField()
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="изображение до 1200×1200")
    thumbnail_url = serializers.URLField(help_text="миниатюра 320×180")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


def ordered_alignments(alignments) -> list[Alignment]:
    """Confirmed alignments first (by their order), then suggestions by score, best first (a source's, with no
    score, after the engine's)."""

    def key(alignment: Alignment) -> tuple:
        if alignment.status == Alignment.Status.CONFIRMED:
            return (0, 0.0, alignment.sort_order or 0, alignment.pk or 0)
        score = alignment.score if alignment.score is not None else -1.0
        return (1, -score, alignment.sort_order or 0, alignment.pk or 0)

    return sorted(alignments, key=key)


def resource_files(resource: Resource) -> list[dict]:
    """The resource's files, described by the file policy (download URLs in the provider's name)."""
    attached = list(resource.files.all())
    if not attached:
        return []
    described = attachment_store().describe_files([f.file_id for f in attached], resource.provider)
    return [{"title": f.title, "role": f.role} | described[f.file_id] for f in attached if f.file_id in described]


class SourceSerializer(serializers.Serializer):
    code = serializers.CharField(source="source")
    external_id = serializers.CharField()
    url = serializers.CharField(source="source_url")
    first_seen = serializers.DateTimeField()
    last_seen = serializers.DateTimeField()


class ResourceSerializer(serializers.ModelSerializer):
    resource_type = TermSerializer(read_only=True, allow_null=True)
    educational_use = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    interactivity = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    subjects = SubjectRefSerializer(many=True, read_only=True)
    grades = serializers.SerializerMethodField()
    levels = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    language = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    license = TermSerializer(read_only=True, allow_null=True)
    access = TermSerializer(read_only=True, allow_null=True)
    provider = OrganizationRefSerializer(read_only=True, allow_null=True)
    duration = serializers.SerializerMethodField()
    parts = PartSerializer(many=True, read_only=True)
    alignments = AlignmentSerializer(many=True, read_only=True)
    source = SourceSerializer(source="source_layer", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(source="first_published_at", read_only=True, allow_null=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "title",
            "description",
            "keywords",
            "resource_type",
            "educational_use",
            "interactivity",
            "subjects",
            "grades",
            "levels",
            "lesson_number",
            "language",
            "license",
            "license_terms_url",
            "access",
            "rights_holder",
            "provider",
            "authors",
            "url",
            "embed_url",
            "duration",
            "typical_age_min",
            "typical_age_max",
            "accessibility_features",
            "parts",
            "alignments",
            "files",
            "thumbnail",
            "source",
            "status",
            "published_at",
            "updated_at",
        ]

    def get_grades(self, obj) -> list[int]:
        return sorted(g.number for g in obj.grades.all())

    @extend_schema_field({"type": "string", "nullable": True, "example": "PT45M"})
    def get_duration(self, obj) -> str | None:
        return iso_duration(obj.duration) if obj.duration else None

    @extend_schema_field(FileSerializer(many=True))
    def get_files(self, obj) -> list[dict]:
        return resource_files(obj)

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_thumbnail(self, obj) -> dict | None:
        return attachment_store().describe_image(obj.thumbnail) if obj.thumbnail_id else None

    @extend_schema_field(
        {"type": "string", "pattern": "^published$", "description": "всегда «published»: публикуется опубликованное"}
    )
    def get_status(self, obj) -> str:
        # The public sees what is published; a change under review or a rejected one is the vendor's and the
        # methodists' business (/submissions/, the admin), never a public state of a live resource.
        return Resource.Status.PUBLISHED if obj.live else obj.status


class CollectionItemSerializer(serializers.Serializer):
    resource = serializers.UUIDField(source="resource_id")
    title = serializers.CharField(source="resource.title")
    note = serializers.CharField()


class CollectionSerializer(serializers.ModelSerializer):
    subject = SubjectRefSerializer(read_only=True, allow_null=True)
    grades = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()

    class Meta:
        model = Collection
        fields = ["slug", "title", "description", "subject", "grades", "items", "updated_at"]

    def get_grades(self, obj) -> list[int]:
        return sorted(g.number for g in obj.grades.all())

    @extend_schema_field(CollectionItemSerializer(many=True))
    def get_items(self, obj):
        items = [item for item in obj.items.all() if item.resource.live]
        return CollectionItemSerializer(items, many=True).data
