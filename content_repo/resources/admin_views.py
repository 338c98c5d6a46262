"""Admin views beyond Wagtail's generic ones."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.permissions import policy_registry

from .models import Resource
from .overlay import OVERLAY_FIELDS
from .services import revert_field, source_values


def revert_field_view(request, pk, field):
    resource = get_object_or_404(Resource, pk=pk)
    policy = policy_registry.get_by_type(Resource)
    if not policy.user_has_permission_for_instance(request.user, "change", resource):
        raise PermissionDenied
    if field not in OVERLAY_FIELDS:
        raise PermissionDenied
    edit_url = AdminURLFinder(request.user).get_edit_url(resource)
    if request.method == "POST":
        try:
            revert_field(resource, field, request.user)
        except ValidationError as e:
            messages.error(request, "; ".join(e.messages))
        else:
            messages.success(request, f"Полю «{OVERLAY_FIELDS[field].label}» возвращено значение источника")
        return redirect(edit_url)
    return TemplateResponse(
        request,
        "resources/admin/revert_field.html",
        {
            "resource": resource,
            "label": OVERLAY_FIELDS[field].label,
            "current": OVERLAY_FIELDS[field].get(resource),
            "source": source_values(resource).get(field),
            "cancel_url": edit_url,
            "page_title": "Вернуть значение источника",
            "header_title": "Вернуть значение источника",
        },
    )
