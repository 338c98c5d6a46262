"""Admin «API»: keys (issued here too; the key is shown once), their hourly usage, webhooks and deliveries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import models as model_views
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from content_repo.admin_display import HumanInspectView, joined, yes_no

from .keys import create_api_key, revoke
from .models import ApiKey, ApiKeyUsage, WebhookDelivery, WebhookSubscription


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Logs are written by the system: they can be viewed, never added or edited by hand."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


class ApiKeyCreateForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(label="права", choices=ApiKey.Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["organization", "name", "scopes", "hourly_quota"]


class ApiKeyEditForm(WagtailAdminModelForm):
    revoke = forms.BooleanField(label="отозвать ключ (необратимо)", required=False)

    class Meta:
        model = ApiKey
        fields = ["name", "hourly_quota"]

    def save(self, commit=True):
        instance = super().save(commit)
        if self.cleaned_data.get("revoke"):
            revoke(instance)
        return instance


class ApiKeyCreateView(model_views.CreateView):
    """Issues the key through the service (hash, service user) and shows it on this page, once."""

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            issued = create_api_key(
                data["organization"], data["scopes"], name=data["name"], hourly_quota=data["hourly_quota"]
            )
        except ValidationError as e:
            form.add_error(None, e.messages)
            return self.form_invalid(form)
        context = {"key": issued.key, "api_key": issued.api_key, "index_url": self.get_success_url()}
        return TemplateResponse(self.request, "api/admin/key_created.html", context)

    def get_success_url(self):
        return reverse(self.index_url_name)


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = "Ключи API"
    name = "api_keys"
    list_display = ["__str__", "organization", "prefix", "scopes_label", "hourly_quota", "last_used_at", "revoked_at"]
    list_filter = ["organization"]
    search_fields = ["name", "prefix"]
    ordering = ["-created_at"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = HumanInspectView
    inspect_view_fields = [
        "organization",
        "name",
        "prefix",
        "scopes",
        "hourly_quota",
        "user",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    add_view_class = ApiKeyCreateView

    def get_form_class(self, for_update: bool = False) -> Any:
        return ApiKeyEditForm if for_update else ApiKeyCreateForm


class ApiKeyUsageViewSet(ModelViewSet):
    model = ApiKeyUsage
    icon = "history"
    menu_label = "Использование ключей"
    name = "api_key_usage"
    list_display = ["key", "hour", "requests", "throttled"]
    list_filter = ["key"]
    ordering = ["-hour"]
    form_fields = ["requests"]
    copy_view_enabled = False


class WebhookSubscriptionViewSet(ModelViewSet):
    model = WebhookSubscription
    icon = "link"
    menu_label = "Подписки (webhooks)"
    name = "webhooks"
    # The circuit: after WEBHOOKS_CIRCUIT_FAILURES failures in a row delivery pauses until `paused_until`;
    # clearing that field here resumes it at once.
    list_display = [
        "url",
        "organization",
        joined("events", "События"),
        yes_no("active", "Включена"),
        "consecutive_failures",
        "paused_until",
        "created_at",
    ]
    list_filter = ["organization", "active"]
    form_fields = ["organization", "url", "events", "secret", "active", "paused_until"]
    copy_view_enabled = False


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "mail"
    menu_label = "Доставки уведомлений"
    name = "webhook_deliveries"
    list_display = ["event", "subscription", "status", "attempts", "last_status_code", "last_attempt_at", "created_at"]
    list_filter = ["status", "event"]
    ordering = ["-created_at"]
    form_fields = ["status"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = HumanInspectView


class ApiGroup(ModelViewSetGroup):
    menu_label = "API"
    menu_icon = "code"
    menu_name = "api"
    menu_order = 900
    items = (ApiKeyViewSet, ApiKeyUsageViewSet, WebhookSubscriptionViewSet, WebhookDeliveryViewSet)


register_permission_policy(ApiKeyUsage, ReadOnlyPolicy(ApiKeyUsage))
register_permission_policy(WebhookDelivery, ReadOnlyPolicy(WebhookDelivery))


@hooks.register("register_admin_viewset")
def register_api_viewsets():
    return ApiGroup()
