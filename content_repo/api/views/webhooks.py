"""Webhook subscriptions of the key's organisation and the log of their deliveries."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response

from .. import inputs
from ..models import WebhookDelivery, WebhookSubscription
from ..pagination import ordered_by
from ..permissions import CanPublish, api_key_of
from ..webhooks import subscribe
from .base import DeclaredParametersMixin


class OrganizationWebhooksMixin:
    permission_classes = [CanPublish]

    def get_queryset(self):
        key = api_key_of(self.request)  # type: ignore[attr-defined]
        return WebhookSubscription.objects.filter(organization=key.organization if key else None)


class WebhookList(OrganizationWebhooksMixin, DeclaredParametersMixin, generics.ListCreateAPIView):
    """Your organisation's subscriptions; `POST` subscribes a URL (the secret is shown in this answer only)."""

    serializer_class = inputs.WebhookSubscriptionSerializer
    pagination_class = ordered_by("-created_at", "-id")

    @extend_schema(responses={201: inputs.WebhookCreatedSerializer})
    def post(self, request, *args, **kwargs):
        serializer = inputs.WebhookSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = api_key_of(request)
        try:
            subscription = subscribe(key.organization, data["url"], data["events"], data.get("secret"))  # type: ignore[union-attr]
        except DjangoValidationError as e:
            raise exceptions.ValidationError(e.message_dict) from e
        return Response(inputs.WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)


class WebhookDetail(OrganizationWebhooksMixin, DeclaredParametersMixin, generics.RetrieveDestroyAPIView):
    serializer_class = inputs.WebhookSubscriptionSerializer
    action_is_list = False


class WebhookDeliveryList(DeclaredParametersMixin, generics.ListAPIView):
    """Delivery attempts of one subscription, newest first: status, attempts, last HTTP status and error."""

    permission_classes = [CanPublish]
    serializer_class = inputs.WebhookDeliverySerializer
    pagination_class = ordered_by("-created_at", "-id")

    def get_queryset(self):
        key = api_key_of(self.request)
        organization = key.organization if key else None
        if not WebhookSubscription.objects.filter(pk=self.kwargs["pk"], organization=organization).exists():
            raise exceptions.NotFound()
        return WebhookDelivery.objects.filter(subscription_id=self.kwargs["pk"])
