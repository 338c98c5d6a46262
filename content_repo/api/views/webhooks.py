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
from ..webhooks import set_active, subscribe
from .base import DeclaredParametersMixin


class OrganizationWebhooksMixin:
    permission_classes = [CanPublish]

    def get_queryset(self):
        key = api_key_of(self.request)  # type: ignore[attr-defined]
        return WebhookSubscription.objects.filter(organization=key.organization if key else None)


class WebhookList(OrganizationWebhooksMixin, DeclaredParametersMixin, generics.ListCreateAPIView):
    """Your organisation's subscriptions with their delivery state; `POST` subscribes a URL (the secret is shown
    in this answer only; `"active": false` creates it switched off)."""

    serializer_class = inputs.WebhookSubscriptionSerializer
    pagination_class = ordered_by("-created_at", "-id")

    @extend_schema(responses={201: inputs.WebhookCreatedSerializer})
    def post(self, request, *args, **kwargs):
        serializer = inputs.WebhookSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = api_key_of(request)
        try:
            subscription = subscribe(
                key.organization,  # type: ignore[union-attr]
                data["url"],
                data["events"],
                data.get("secret"),
                active=data["active"],
            )
        except DjangoValidationError as e:
            raise exceptions.ValidationError(e.message_dict) from e
        return Response(inputs.WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)


class WebhookDetail(OrganizationWebhooksMixin, DeclaredParametersMixin, generics.RetrieveDestroyAPIView):
    """One subscription; `PATCH {"active": true|false}` switches its deliveries on or off."""

    serializer_class = inputs.WebhookSubscriptionSerializer
    action_is_list = False

    @extend_schema(request=inputs.WebhookActivationSerializer, responses={200: inputs.WebhookSubscriptionSerializer})
    def patch(self, request, *args, **kwargs):
        subscription = self.get_object()
        serializer = inputs.WebhookActivationSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "active" in serializer.validated_data:
            set_active(subscription, serializer.validated_data["active"])
        return Response(inputs.WebhookSubscriptionSerializer(subscription).data)


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
