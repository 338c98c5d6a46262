"""«Сбор данных» in the Wagtail admin: sources, jobs with counts, errors (read-only) and the spreadsheet upload."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from content_repo.admin_display import HumanInspectView, joined, yes_no
from content_repo.resources.russian import russian_index
from importers.admin_views import (
    RUN_PERMISSION,
    UPLOAD_PERMISSION,
    confirm_view,
    confirm_withdrawal_view,
    run_harvest_view,
    upload_view,
)
from importers.models import HarvestError, HarvestJob, HarvestSource


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Viewing by the model's ``view`` permission; nobody adds, edits or deletes from the admin."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)


class SourceSettingsPolicy(ModelPermissionPolicy):
    """Sources are declared in code; administrators (the model's ``change`` permission) edit only how often and
    how politely one is harvested and whether it publishes. Nobody adds or deletes one here."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)


register_permission_policy(HarvestSource, SourceSettingsPolicy(HarvestSource))
for _model in (HarvestJob, HarvestError):
    register_permission_policy(_model, ReadOnlyPolicy(_model))


class HarvestSourceInspectView(HumanInspectView):
    """A source's page; administrators start its harvest from here («Запустить сбор»)."""

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        if not self.request.user.has_perm(RUN_PERMISSION):
            return []
        url = reverse("importers_run_harvest", args=[self.object.pk])
        return [HeaderButton("Запустить сбор", url=url, icon_name="download")]


class HarvestSourceViewSet(ModelViewSet):
    index_view_class = russian_index(ModelViewSet.index_view_class)
    model = HarvestSource
    icon = "site"
    menu_label = "Источники"
    inspect_view_enabled = True
    copy_view_enabled = False
    # What an administrator may change; the rest (address, hosts, protocol options) is the source's code.
    form_fields = ["schedule", "rate_limit", "publish_policy", "enabled"]
    list_display = ["name", "code", "kind", "base_url", "schedule", "publish_policy", yes_no("enabled", "Включён")]
    inspect_view_class = HarvestSourceInspectView
    inspect_view_fields = [
        "code",
        "name",
        "kind",
        "base_url",
        "allowed_hosts",
        "schedule",
        "rate_limit",
        "publish_policy",
        "allow_private",
        "enabled",
        "options",
    ]


GATHER_LABELS = {
    "complete": "весь список источника",
    "incomplete": "не весь список (снятие не проводилось)",
    "unchanged": "список не изменился",
    "incremental": "только изменения",
}


class HarvestJobInspectView(HumanInspectView):
    """A job's page; a withdrawal the job held back is confirmed from here by a methodist."""

    value_labels = {"gather_status": GATHER_LABELS}

    @cached_property
    def header_buttons(self) -> list[HeaderButton]:
        job = self.object
        if not job.withdrawal_pending or not self.request.user.has_perm(UPLOAD_PERMISSION):
            return []
        url = reverse("importers_confirm_withdrawal", args=[job.pk])
        return [HeaderButton(f"Подтвердить снятие {job.withdrawal_pending} ресурсов", url=url, icon_name="warning")]


class HarvestJobViewSet(ModelViewSet):
    index_view_class = russian_index(ModelViewSet.index_view_class)
    model = HarvestJob
    inspect_view_class = HarvestJobInspectView
    icon = "list-ul"
    menu_label = "Задания"
    inspect_view_enabled = True
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # never shown: the policy forbids adding and editing
    list_display = [
        "source",
        "state",
        "started_at",
        *HarvestJob.COUNT_FIELDS,
        "withdrawal_pending",
        joined("gather_status", "Итог сбора списка", lambda status: GATHER_LABELS.get(status, status) or "—"),
    ]
    list_filter = ["source", "state"]
    inspect_view_fields = [
        "source",
        "state",
        "started_at",
        "finished_at",
        "base_url",
        "gather_status",
        *HarvestJob.COUNT_FIELDS,
        "withdrawal_pending",
        "withdrawal_confirmed_by",
        "withdrawal_confirmed_at",
        "options",
        "notes",
    ]


class HarvestErrorViewSet(ModelViewSet):
    index_view_class = russian_index(ModelViewSet.index_view_class)
    model = HarvestError
    inspect_view_class = HumanInspectView
    icon = "warning"
    menu_label = "Ошибки"
    inspect_view_enabled = True
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # never shown: the policy forbids adding and editing
    list_display = ["job", "stage", "external_id", "line", "message", "created_at"]
    list_filter = ["job__source", "stage"]
    search_fields = ["external_id", "message", "url"]
    inspect_view_fields = ["job", "stage", "external_id", "url", "line", "message", "traceback_digest", "details"]


class HarvestViewSetGroup(ModelViewSetGroup):
    menu_label = "Сбор данных"
    menu_icon = "download"
    menu_order = 250
    items = (
        HarvestSourceViewSet("harvest_sources"),
        HarvestJobViewSet("harvest_jobs"),
        HarvestErrorViewSet("harvest_errors"),
    )


@hooks.register("register_admin_viewset")
def register_harvest_viewsets() -> HarvestViewSetGroup:
    return HarvestViewSetGroup()


@hooks.register("register_admin_urls")
def register_upload_urls() -> list[Any]:
    return [
        path("importers/upload/", upload_view, name="importers_upload"),
        path("importers/upload/confirm/", confirm_view, name="importers_upload_confirm"),
        path("importers/sources/<int:pk>/run/", run_harvest_view, name="importers_run_harvest"),
        path(
            "importers/jobs/<int:pk>/confirm-withdrawal/",
            confirm_withdrawal_view,
            name="importers_confirm_withdrawal",
        ),
    ]


class _UploadMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(UPLOAD_PERMISSION))


@hooks.register("register_admin_menu_item")
def register_upload_menu_item() -> MenuItem:
    return _UploadMenuItem("Загрузка таблицы", reverse("importers_upload"), icon_name="upload", order=260)


@hooks.register("resource_source_labels")
def harvest_source_labels() -> dict[str, str]:
    """Names of the harvest sources for the resource list's «Источник» column (codes otherwise)."""
    return dict(HarvestSource.objects.values_list("code", "name"))


class RecentJobsPanel(Component):
    """The dashboard's last harvest jobs, failures and partial runs highlighted."""

    name = "recent_harvest_jobs"
    order = 60
    template_name = "importers/admin/recent_jobs_panel.html"
    LIMIT = 8

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        jobs = list(HarvestJob.objects.select_related("source").order_by("-started_at", "-id")[: self.LIMIT])
        troubled = {HarvestJob.State.FAILED, HarvestJob.State.PARTIAL, HarvestJob.State.INTERRUPTED}
        return {"jobs": [(job, job.state in troubled or job.failed > 0) for job in jobs]}


@hooks.register("construct_homepage_panels")
def add_recent_jobs_panel(request: Any, panels: list[Any]) -> None:
    if request.user.has_perm("importers.view_harvestjob"):
        panels.append(RecentJobsPanel())
