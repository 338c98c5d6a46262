"""Read endpoints of API v1: published data only, cursor pagination, declared query parameters."""

from __future__ import annotations

from django.db.models import Prefetch
from rest_framework import generics

from content_repo.collections.models import Collection, CollectionItem
from content_repo.curriculum.models import CodifierElement, Framework, Subject, Topic
from content_repo.publishers.models import Organization
from content_repo.resources.models import Resource

from . import serializers
from .filters import ResourceFilterBackend, TopicFilterBackend
from .pagination import ordered_by
from .params import check_query_parameters


class DeclaredParametersMixin:
    """Rejects query parameters the endpoint does not declare (a typo is a 400, not a silent no-op)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        allowed: set[str] = set()
        if getattr(self, "action_is_list", True):
            for backend in getattr(self, "filter_backends", []):
                allowed |= set(getattr(backend, "parameters", {}))
        check_query_parameters(request, allowed)


def published_resources():
    return (
        Resource.objects.filter(live=True)
        .select_related("resource_type", "interactivity", "language", "license", "access", "provider", "source_layer")
        .prefetch_related(
            "subjects",
            "grades",
            "levels",
            "educational_use",
            "parts",
            "alignments__topic",
            "alignments__codifier_element",
        )
    )


class ResourceList(DeclaredParametersMixin, generics.ListAPIView):
    """Published resources, newest change first."""

    serializer_class = serializers.ResourceSerializer
    filter_backends = [ResourceFilterBackend]
    pagination_class = ordered_by("-updated_at", "-id")

    def get_queryset(self):
        return published_resources()


class ResourceDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.ResourceSerializer
    action_is_list = False

    def get_queryset(self):
        return published_resources()


class FrameworkList(DeclaredParametersMixin, generics.ListAPIView):
    serializer_class = serializers.FrameworkSerializer
    queryset = Framework.objects.select_related("parent")
    pagination_class = ordered_by("code")


class FrameworkDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.FrameworkSerializer
    queryset = Framework.objects.select_related("parent")
    lookup_field = "code"
    action_is_list = False


class SubjectList(DeclaredParametersMixin, generics.ListAPIView):
    serializer_class = serializers.SubjectSerializer
    queryset = Subject.objects.prefetch_related("levels")
    pagination_class = ordered_by("code")


class SubjectDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.SubjectSerializer
    queryset = Subject.objects.prefetch_related("levels")
    lookup_field = "code"
    action_is_list = False


class TopicList(DeclaredParametersMixin, generics.ListAPIView):
    """Sections and topics of the federal work programmes, filterable by subject, grade and parent."""

    serializer_class = serializers.TopicSerializer
    queryset = Topic.objects.select_related("subject", "level", "parent")
    filter_backends = [TopicFilterBackend]
    pagination_class = ordered_by("id")


class TopicDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.TopicSerializer
    queryset = Topic.objects.select_related("subject", "level", "parent")
    lookup_field = "code"
    action_is_list = False


class CodifierElementList(DeclaredParametersMixin, generics.ListAPIView):
    serializer_class = serializers.CodifierElementSerializer
    queryset = CodifierElement.objects.select_related("subject", "parent")
    pagination_class = ordered_by("id")


class CodifierElementDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.CodifierElementSerializer
    queryset = CodifierElement.objects.select_related("subject", "parent")
    lookup_field = "code"
    action_is_list = False


class OrganizationList(DeclaredParametersMixin, generics.ListAPIView):
    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.all()
    pagination_class = ordered_by("code")


class OrganizationDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.all()
    lookup_field = "code"
    action_is_list = False


def _published_collections():
    items = CollectionItem.objects.select_related("resource").order_by("sort_order")
    return (
        Collection.objects.filter(live=True)
        .select_related("subject")
        .prefetch_related("grades", Prefetch("items", queryset=items))
    )


class CollectionList(DeclaredParametersMixin, generics.ListAPIView):
    serializer_class = serializers.CollectionSerializer
    pagination_class = ordered_by("slug")

    def get_queryset(self):
        return _published_collections()


class CollectionDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    serializer_class = serializers.CollectionSerializer
    lookup_field = "slug"
    action_is_list = False

    def get_queryset(self):
        return _published_collections()
