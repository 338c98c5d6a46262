"""Vendor publishing (`publish` keys) and the methodists' review (`review` keys).

Views are thin: they check the key's scope and organisation, parse the body and call `api.publishing`
and `resources.services`. A resource of another organisation is answered 404, whether published or not, so
nobody learns of others' drafts.
"""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from content_repo.resources import services
from content_repo.resources.models import Resource

from .. import inputs
from ..errors import Conflict, PayloadTooLarge
from ..filters import MODIFIED_SINCE, DeclaredFilterBackend
from ..models import BulkSubmission
from ..pagination import ordered_by
from ..params import Choices, Codes
from ..parsers import CatalogJSONParser
from ..permissions import CanPublish, CanReview, api_key_of
from ..publishing import (
    Outcome,
    SubmissionInvalid,
    count_lines,
    queue_bulk,
    submit,
    submit_feed,
    update,
    withdraw_submission,
)
from .base import DeclaredParametersMixin
from .read import ResourceDetail, ResourceList


class NDJSONParser(BaseParser):
    """`application/x-ndjson`: the body is handed on as a stream of lines, never read whole into memory."""

    media_type = "application/x-ndjson"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream if stream is not None else []


def _invalid(error: SubmissionInvalid) -> exceptions.ValidationError:
    return exceptions.ValidationError(error.as_errors())


def _document(request) -> dict:
    """The JSON body as a document; anything but an object is refused before it reaches the intake."""
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError({"body": ["ожидается JSON-объект: документ ресурса"]})
    return dict(request.data)


def own_resource(request, pk) -> Resource:
    key = api_key_of(request)
    resource = Resource.objects.filter(pk=pk, provider=key.organization if key else None).first()
    if resource is None:
        raise exceptions.NotFound("Среди ресурсов вашей организации такого нет")
    return resource


def _outcome_response(resource: Resource, outcome: Outcome, code: int) -> Response:
    resource.refresh_from_db()
    data = inputs.SubmissionOutcomeSerializer(resource, context={"outcome": outcome.value}).data
    return Response(data, status=code, headers={"Location": f"/api/v1/submissions/{resource.pk}/"})


class ResourceCollection(ResourceList):
    """`GET` lists published resources (anyone); `POST` submits a new one (`publish` key)."""

    parser_classes = [CatalogJSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [CanPublish()]

    @extend_schema(
        request=inputs.ResourceInputSerializer,
        responses={201: inputs.SubmissionOutcomeSerializer, 200: inputs.SubmissionOutcomeSerializer},
        summary="Отправить новый ресурс на проверку",
    )
    def post(self, request, *args, **kwargs):
        key = api_key_of(request)
        try:
            submission = submit(key.organization, _document(request), request.user)  # type: ignore[union-attr]
        except SubmissionInvalid as e:
            raise _invalid(e) from e
        code = status.HTTP_201_CREATED if submission.outcome is Outcome.CREATED else status.HTTP_200_OK
        return _outcome_response(submission.resource, submission.outcome, code)


class ResourceItem(ResourceDetail):
    """`GET` shows a published resource (anyone); `PATCH` submits a change to your own (`publish` key)."""

    parser_classes = [CatalogJSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [CanPublish()]

    @extend_schema(
        request=inputs.ResourceInputSerializer(partial=True),
        responses={200: inputs.SubmissionOutcomeSerializer},
        summary="Изменить свой ресурс (изменение уходит на проверку)",
    )
    def patch(self, request, pk, *args, **kwargs):
        resource = own_resource(request, pk)
        key = api_key_of(request)
        try:
            submission = update(resource, key.organization, _document(request), request.user)  # type: ignore[union-attr]
        except SubmissionInvalid as e:
            raise _invalid(e) from e
        return _outcome_response(submission.resource, submission.outcome, status.HTTP_200_OK)


class ResourceAction(DeclaredParametersMixin, APIView):
    parser_classes = [CatalogJSONParser]
    action_is_list = False


class ResourceWithdraw(ResourceAction):
    permission_classes = [CanPublish]

    @extend_schema(
        request=inputs.OptionalReasonSerializer,
        responses={200: inputs.SubmissionSerializer},
        summary="Снять свой ресурс с публикации",
    )
    def post(self, request, pk):
        resource = own_resource(request, pk)
        serializer = inputs.OptionalReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        withdraw_submission(resource, serializer.validated_data["reason"], request.user)
        resource.refresh_from_db()
        return Response(inputs.SubmissionSerializer(resource).data)


def _resource_in_review(pk) -> Resource:
    resource = Resource.objects.filter(pk=pk).first()
    if resource is None:
        raise exceptions.NotFound()
    if resource.status != Resource.Status.IN_REVIEW:
        raise Conflict(f"Ресурс не на проверке (статус: {resource.get_status_display()})")
    return resource


def _review(action, *args) -> None:
    try:
        action(*args)
    except DjangoValidationError as e:
        if hasattr(e, "error_dict"):
            raise
        raise Conflict("; ".join(e.messages)) from e


class ResourceApprove(ResourceAction):
    permission_classes = [CanReview]

    @extend_schema(
        request=inputs.CommentSerializer,
        responses={200: inputs.SubmissionSerializer},
        summary="Утвердить ресурс на проверке (публикуется)",
    )
    def post(self, request, pk):
        resource = _resource_in_review(pk)
        serializer = inputs.CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _review(services.approve, resource, request.user, serializer.validated_data["comment"])
        resource.refresh_from_db()
        return Response(inputs.SubmissionSerializer(resource).data)


class ResourceReject(ResourceAction):
    permission_classes = [CanReview]

    @extend_schema(
        request=inputs.ReasonSerializer,
        responses={200: inputs.SubmissionSerializer},
        summary="Отклонить ресурс на проверке (причина обязательна, её видит поставщик)",
    )
    def post(self, request, pk):
        resource = _resource_in_review(pk)
        serializer = inputs.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _review(services.reject, resource, request.user, serializer.validated_data["reason"])
        resource.refresh_from_db()
        return Response(inputs.SubmissionSerializer(resource).data)


class ResourceBulk(DeclaredParametersMixin, APIView):
    """JSON Lines of resource documents (JSON-LD or catalog fields); answered line by line.

    Up to `API_BULK_INLINE_MAX_LINES` lines are loaded in the request (200 with the results); a larger body is
    kept and loaded in the background: 202 with the status URL, where the results appear as they are produced.
    """

    permission_classes = [CanPublish]
    parser_classes = [NDJSONParser]

    @extend_schema(
        # Any bytes are a body: every line is read and answered, a line that is not a document is rejected.
        request={"application/x-ndjson": {"description": "JSON Lines: документ ресурса (JSON-LD или поля каталога)"}},
        responses={
            200: inputs.FeedResultSerializer,
            202: inputs.BulkSubmissionSerializer,
            413: OpenApiResponse(description="тело больше предела"),
        },
        summary="Пакетная отправка: JSON Lines (schema.org LearningResource или поля каталога)",
    )
    def post(self, request):
        limit = settings.API_BULK_MAX_BYTES
        # The edge middleware already refused a Content-Length that is not a number.
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise PayloadTooLarge(f"тело запроса больше {limit} байт; разделите пакет")
        body = request.data.read(limit + 1) if hasattr(request.data, "read") else b""
        if len(body) > limit:
            raise PayloadTooLarge(f"тело запроса больше {limit} байт; разделите пакет")
        organization = api_key_of(request).organization  # type: ignore[union-attr]
        if count_lines(body) > settings.API_BULK_INLINE_MAX_LINES:
            submission = queue_bulk(organization, request.user, body)
            location = f"/api/v1/resources/bulk/{submission.pk}/"
            data = inputs.BulkSubmissionSerializer(submission).data
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})
        results = list(
            submit_feed(organization, body.splitlines(), request.user, max_items=settings.API_BULK_MAX_ITEMS)
        )
        counts = Counter(r.status.value for r in results)
        summary = {o.value: counts.get(o.value, 0) for o in FEED_OUTCOMES}
        body = {"results": [inputs.FeedItemResultSerializer(r).data for r in results], "summary": summary}
        return Response(body)


class BulkSubmissionDetail(DeclaredParametersMixin, generics.RetrieveAPIView):
    """A background bulk submission of your organisation: state, counts, and where its line results are."""

    permission_classes = [CanPublish]
    serializer_class = inputs.BulkSubmissionSerializer
    action_is_list = False

    def get_queryset(self):
        return BulkSubmission.objects.filter(organization=api_key_of(self.request).organization).defer("body")  # type: ignore[union-attr]


class BulkSubmissionLines(DeclaredParametersMixin, generics.ListAPIView):
    """The results of a background bulk submission, line by line, as they are produced."""

    permission_classes = [CanPublish]
    serializer_class = inputs.BulkLineSerializer
    pagination_class = ordered_by("line")

    def get_queryset(self):
        organization = api_key_of(self.request).organization  # type: ignore[union-attr]
        submission = BulkSubmission.objects.filter(pk=self.kwargs["pk"], organization=organization).first()
        if submission is None:
            raise exceptions.NotFound("Среди пакетных отправок вашей организации такой нет")
        return submission.results.all()


# What a line of a vendor's feed can come to (a vendor withdraws with its own call, never by a feed).
FEED_OUTCOMES = (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED, Outcome.REJECTED)


class SubmissionFilterBackend(DeclaredFilterBackend):
    parameters = {
        "status": Choices("статусы", choices=tuple(Resource.Status.values)),
        "modified_since": MODIFIED_SINCE,
        "provider": Codes("коды организаций (только для ключа с правом review)"),
    }

    def filter_queryset(self, request, queryset, view):
        if statuses := self.value(request, "status"):
            queryset = queryset.filter(status__in=statuses)
        if since := self.value(request, "modified_since"):
            queryset = queryset.filter(updated_at__gte=since)
        if providers := self.value(request, "provider"):
            queryset = queryset.filter(provider__code__in=providers)
        return queryset


class SubmissionsMixin:
    def get_permissions(self):
        return [(CanPublish | CanReview)()]

    def get_queryset(self):
        key = api_key_of(self.request)  # type: ignore[attr-defined]
        queryset = Resource.objects.select_related("provider", "source_layer")
        if key is not None and key.has_scope("review"):
            return queryset
        return queryset.filter(Q(provider=key.organization) if key else Q(pk__in=[]))


class SubmissionList(SubmissionsMixin, DeclaredParametersMixin, generics.ListAPIView):
    """Your organisation's resources in every status (a `review` key sees all organisations')."""

    serializer_class = inputs.SubmissionSerializer
    filter_backends = [SubmissionFilterBackend]
    pagination_class = ordered_by("-updated_at", "-id")


class SubmissionDetail(SubmissionsMixin, DeclaredParametersMixin, generics.RetrieveAPIView):
    """One submission with the values of its latest version (the draft under review, if any)."""

    serializer_class = inputs.SubmissionDetailSerializer
    action_is_list = False
