"""Read endpoints of API v1: published data only, cursor pagination, declared query parameters,
conditional GET; resources and the curriculum also as JSON-LD."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from rest_framework import generics

from content_repo.collections.models import Collection, CollectionItem
from content_repo.curriculum.models import CodifierElement, Framework, Subject, Topic
from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource

from .. import jsonld, serializers
from ..changes import latest_change
from ..filters import (
    ALIGNMENT,
    ModifiedSinceFilterBackend,
    ResourceFilterBackend,
    TopicFilterBackend,
    aligned,
    topic_codes_with_descendants,
)
from ..pagination import ordered_by
from .base import JsonLdMixin, ReadView


def published_resources():
    return (
        Resource.objects.filter(live=True)
        .select_related(
            "resource_type", "interactivity", "language", "license", "access", "provider", "source_layer", "thumbnail"
        )
        .prefetch_related(
            "subjects",
            "grades",
            "levels",
            "educational_use",
            "parts",
            "alignments__topic",
            "alignments__codifier_element",
            "files",
        )
    )


class ResourceList(JsonLdMixin, ReadView, generics.ListAPIView):
    """Published resources, newest change first."""

    serializer_class = serializers.ResourceSerializer
    filter_backends = [ResourceFilterBackend]
    pagination_class = ordered_by("-updated_at", "-id")
    jsonld_node = staticmethod(jsonld.resource_node)

    def get_queryset(self):
        return published_resources()

    def list(self, request, *args, **kwargs):
        # Every publish, update, withdrawal and deletion is in the change feed: its latest entry is when
        # any list of published resources last changed (an item leaving a list included).
        change = latest_change()
        self.last_modified = change.at if change else None
        return super().list(request, *args, **kwargs)


class ResourceDetail(JsonLdMixin, ReadView, generics.RetrieveAPIView):
    serializer_class = serializers.ResourceSerializer
    action_is_list = False
    jsonld_node = staticmethod(jsonld.resource_node)

    def get_queryset(self):
        return published_resources()


class FrameworkList(JsonLdMixin, ReadView, generics.ListAPIView):
    serializer_class = serializers.FrameworkSerializer
    queryset = Framework.objects.select_related("parent")
    pagination_class = ordered_by("code")
    jsonld_node = staticmethod(jsonld.framework_node)


class FrameworkDetail(JsonLdMixin, ReadView, generics.RetrieveAPIView):
    serializer_class = serializers.FrameworkSerializer
    queryset = Framework.objects.select_related("parent")
    lookup_field = "code"
    action_is_list = False
    jsonld_node = staticmethod(jsonld.framework_node)


class SubjectList(JsonLdMixin, ReadView, generics.ListAPIView):
    serializer_class = serializers.SubjectSerializer
    queryset = Subject.objects.prefetch_related("levels")
    pagination_class = ordered_by("code")
    jsonld_node = staticmethod(jsonld.subject_node)


class SubjectDetail(JsonLdMixin, ReadView, generics.RetrieveAPIView):
    serializer_class = serializers.SubjectSerializer
    queryset = Subject.objects.prefetch_related("levels")
    lookup_field = "code"
    action_is_list = False
    jsonld_node = staticmethod(jsonld.subject_node)


class TopicList(JsonLdMixin, ReadView, generics.ListAPIView):
    """Sections and topics of the federal work programmes, filterable by subject, grade and parent."""

    serializer_class = serializers.TopicSerializer
    queryset = Topic.objects.select_related("subject", "level", "parent")
    filter_backends = [TopicFilterBackend]
    pagination_class = ordered_by("id")
    jsonld_node = staticmethod(jsonld.topic_node)


class TopicDetail(JsonLdMixin, ReadView, generics.RetrieveAPIView):
    """A topic or section, with how many published resources are aligned to it and where they are listed."""

    serializer_class = serializers.TopicDetailSerializer
    queryset = Topic.objects.select_related("subject", "level", "parent")
    lookup_field = "code"
    action_is_list = False
    jsonld_node = staticmethod(jsonld.topic_node)


class TopicResourceList(ResourceList):
    """Published resources aligned to a topic (a section: to it or its topics); `alignment=confirmed` keeps the
    confirmed alignments only. Takes the filters of the resource list."""

    def get_queryset(self):
        topic = get_object_or_404(Topic, code=self.kwargs["code"])
        codes = topic_codes_with_descendants([topic.code])
        alignment = ALIGNMENT.read(self.request, "alignment")
        return published_resources().filter(pk__in=Resource.objects.filter(aligned(codes, alignment)).values("pk"))


class CodifierElementList(JsonLdMixin, ReadView, generics.ListAPIView):
    serializer_class = serializers.CodifierElementSerializer
    queryset = CodifierElement.objects.select_related("subject", "parent")
    pagination_class = ordered_by("id")
    jsonld_node = staticmethod(jsonld.codifier_element_node)


class CodifierElementDetail(JsonLdMixin, ReadView, generics.RetrieveAPIView):
    serializer_class = serializers.CodifierElementSerializer
    queryset = CodifierElement.objects.select_related("subject", "parent")
    lookup_field = "code"
    action_is_list = False
    jsonld_node = staticmethod(jsonld.codifier_element_node)


class OrganizationList(JsonLdMixin, ReadView, generics.ListAPIView):
    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.all()
    filter_backends = [ModifiedSinceFilterBackend]
    pagination_class = ordered_by("code")
    jsonld_node = staticmethod(jsonld.organization_node)


class OrganizationDetail(JsonLdMixin, ReadView, generics.RetrieveAPIView):
    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.all()
    lookup_field = "code"
    action_is_list = False
    jsonld_node = staticmethod(jsonld.organization_node)


def published_collections():
    items = CollectionItem.objects.select_related("resource").order_by("sort_order")
    return (
        Collection.objects.filter(live=True)
        .select_related("subject")
        .prefetch_related("grades", Prefetch("items", queryset=items))
    )


class CollectionList(ReadView, generics.ListAPIView):
    serializer_class = serializers.CollectionSerializer
    filter_backends = [ModifiedSinceFilterBackend]
    pagination_class = ordered_by("slug")

    def get_queryset(self):
        return published_collections()


class CollectionDetail(ReadView, generics.RetrieveAPIView):
    serializer_class = serializers.CollectionSerializer
    lookup_field = "slug"
    action_is_list = False

    def get_queryset(self):
        return published_collections()
