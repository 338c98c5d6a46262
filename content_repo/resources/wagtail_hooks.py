"""The methodists' admin for resources: listing with filters, tabs, the origin panel, bulk actions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from content_repo.curriculum.chooser import topic_chooser_widget

from .admin_forms import ResourceAdminForm
from .admin_panels import AlignmentNotePanel, FieldOriginPanel, TopicChooserContextPanel
from .admin_views import revert_field_view
from .bulk_actions import BULK_ACTIONS
from .filters import ResourceFilterSet
from .models import Resource
from .permissions import is_restricted_to_own_organization


class InstanceGuardMixin:
    """Wagtail's generic views check model-level permissions only; a vendor must not even open another
    organisation's resource, so every object view checks the instance against the permission policy."""

    guard_action = "change"

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)  # type: ignore[misc]
        policy = policy_registry.get_by_type(Resource)
        if not policy.user_has_permission_for_instance(self.request.user, self.guard_action, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        return obj


def _guarded(view_class, action="change"):
    return type(f"Guarded{view_class.__name__}", (InstanceGuardMixin, view_class), {"guard_action": action})


ALIGNMENT_PANELS = [
    FieldPanel("topic", widget=topic_chooser_widget(with_context=True)),
    FieldPanel("codifier_element"),
    FieldRowPanel([FieldPanel("alignment_type"), FieldPanel("status")]),
    AlignmentNotePanel(),
]


class ResourceViewSet(SnippetViewSet):
    model = Resource
    icon = "doc-full"
    menu_label = "Ресурсы"
    menu_name = "resources"
    menu_order = 100
    add_to_admin_menu = True
    list_display = ["title", "provider", "status", "updated_at"]
    list_export = ["id", "title", "url", "provider", "status", "updated_at"]
    filterset_class = ResourceFilterSet
    search_fields = ["title", "description"]
    ordering = ["-updated_at"]

    edit_view_class = _guarded(snippet_views.EditView)
    delete_view_class = _guarded(snippet_views.DeleteView, "delete")
    history_view_class = _guarded(snippet_views.HistoryView, "view")
    usage_view_class = _guarded(snippet_views.UsageView, "view")
    inspect_view_class = _guarded(snippet_views.InspectView, "view")
    unpublish_view_class = _guarded(snippet_views.UnpublishView, "publish")
    lock_view_class = _guarded(snippet_views.LockView, "lock")
    unlock_view_class = _guarded(snippet_views.UnlockView, "unlock")
    revisions_compare_view_class = _guarded(snippet_views.RevisionsCompareView, "view")

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("title"),
                    FieldPanel("description"),
                    FieldPanel("keywords", help_text='Список в формате JSON: ["дроби", "сложение"]'),
                    FieldRowPanel([FieldPanel("resource_type"), FieldPanel("interactivity"), FieldPanel("language")]),
                    FieldPanel("educational_use"),
                    FieldPanel("url"),
                    FieldPanel("embed_url"),
                    FieldRowPanel(
                        [FieldPanel("duration"), FieldPanel("typical_age_min"), FieldPanel("typical_age_max")]
                    ),
                    FieldPanel("thumbnail"),
                ],
                heading="Описание",
            ),
            ObjectList(
                [
                    FieldPanel("subjects"),
                    FieldRowPanel([FieldPanel("grades"), FieldPanel("levels"), FieldPanel("lesson_number")]),
                    TopicChooserContextPanel(),
                    InlinePanel(
                        "alignments",
                        heading="Привязки к программе",
                        label="привязка",
                        panels=ALIGNMENT_PANELS,
                        help_text="Подтверждённые — решение методиста; предложенные — подсказки с оценкой (их "
                        "проще разбирать в очереди «Привязка к программе»). Удалённая подсказка считается "
                        "отклонённой и больше не предлагается.",
                    ),
                ],
                heading="Программа",
            ),
            ObjectList(
                [
                    FieldPanel("provider"),
                    FieldRowPanel([FieldPanel("license"), FieldPanel("access")]),
                    FieldPanel("license_terms_url"),
                    FieldPanel("rights_holder"),
                    FieldPanel("authors", help_text='Список в формате JSON: ["Иванова А. А."]'),
                    FieldPanel("accessibility_features"),
                ],
                heading="Права и доступ",
            ),
            ObjectList(
                [
                    InlinePanel("parts", heading="Части урока", label="часть"),
                    InlinePanel("files", heading="Файлы", label="файл"),
                    InlinePanel("relations", heading="Связи", label="связь"),
                ],
                heading="Части и файлы",
            ),
            ObjectList(
                [MultiFieldPanel([FieldOriginPanel()], heading="Источник и правки методиста")],
                heading="Источник",
            ),
        ],
        base_form_class=ResourceAdminForm,
    )

    def get_queryset(self, request):
        queryset = Resource.objects.select_related("provider", "resource_type", "license")
        if is_restricted_to_own_organization(request.user):
            from content_repo.publishers.models import organizations_of

            queryset = queryset.filter(provider__in=organizations_of(request.user))
        return queryset


register_snippet(ResourceViewSet)


@hooks.register("register_admin_urls")
def register_resource_admin_urls():
    return [
        path(
            "resources/<uuid:pk>/revert/<str:field>/",
            revert_field_view,
            name="resources_revert_field",
        )
    ]


for _action in BULK_ACTIONS:
    hooks.register("register_bulk_action", _action)
