"""The alignment work in the admin: the review queue, the coverage report, and the history's alignment actions."""

from __future__ import annotations

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.log_actions import LogFormatter

from . import views
from .decisions import can_decide


@hooks.register("register_admin_urls")
def register_alignment_urls():
    return [
        path("alignment/", views.QueueView.as_view(), name="alignment_queue"),
        path("alignment/accept-above/", views.AcceptAboveView.as_view(), name="alignment_accept_above"),
        path("alignment/suggestions/<int:pk>/accept/", views.AcceptView.as_view(), name="alignment_accept"),
        path("alignment/suggestions/<int:pk>/reject/", views.RejectView.as_view(), name="alignment_reject"),
        path("alignment/suggestions/<int:pk>/replace/", views.ReplaceView.as_view(), name="alignment_replace"),
        path("alignment/resources/<uuid:pk>/card/", views.resource_card, name="alignment_card"),
        path("alignment/coverage/", views.CoverageReportView.as_view(), name="alignment_coverage"),
    ]


class MethodistMenuItem(MenuItem):
    def is_shown(self, request):
        return can_decide(request.user)


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    return MethodistMenuItem("Привязка к программе", reverse("alignment_queue"), icon_name="list-ol", order=105)


@hooks.register("register_reports_menu_item")
def register_coverage_report_menu_item():
    return MenuItem("Покрытие программы", reverse("alignment_coverage"), icon_name="table", order=700)


class _NodesFormatter(LogFormatter):
    verb = ""

    def format_message(self, log_entry):
        nodes = (log_entry.data or {}).get("nodes") or []
        titles = " → ".join(f"«{node.get('title', node.get('code', ''))}»" for node in nodes)
        return f"{self.verb}: {titles}" if titles else self.verb


@hooks.register("register_log_actions")
def register_alignment_log_actions(actions):
    @actions.register_action("alignment.confirm")
    class Confirm(_NodesFormatter):
        label = verb = "Привязка к программе подтверждена"

    @actions.register_action("alignment.reject")
    class Reject(_NodesFormatter):
        label = verb = "Подсказка привязки отклонена"

    @actions.register_action("alignment.replace")
    class Replace(_NodesFormatter):
        label = verb = "Подсказка привязки заменена"
