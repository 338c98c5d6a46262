"""The methodists' admin for resources: listing with filters, tabs, the origin panel, bulk actions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.search import SearchArea
from wagtail.permissions import policy_registry
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from content_repo.admin_display import without_autosave
from content_repo.curriculum.chooser import topic_chooser_widget

from .admin_columns import prefetch_for_list, resource_list_columns
from .admin_forms import ResourceAdminForm
from .admin_home import CatalogStatePanel, WorkQueuesPanel, catalog_search_view
from .admin_panels import AlignmentNotePanel, FieldOriginPanel, TopicChooserContextPanel
from .admin_search import search_resources
from .admin_views import revert_field_view
from .bulk_actions import BULK_ACTIONS
from .chooser import ResourceChooserViewSet
from .filters import ResourceFilterSet
from .models import Resource
from .permissions import is_restricted_to_own_organization
from .russian import russian_index


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


class ResourceIndexView(russian_index(snippet_views.IndexView)):  # type: ignore[misc]
    """The resource list: words searched with Russian morphology (``admin_search``), columns prefetched."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_resources(queryset, self.search_query)

    def get_base_queryset(self):
        return prefetch_for_list(super().get_base_queryset())


# Many subjects: ticked in columns (static/resources/admin.css) rather than Ctrl-clicked in a list box.
SUBJECT_CHECKBOXES = forms.CheckboxSelectMultiple()

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
    list_display = resource_list_columns()
    list_per_page = 50
    index_view_class = ResourceIndexView
    chooser_viewset_class = ResourceChooserViewSet
    list_export = ["id", "title", "url", "provider", "status", "updated_at"]
    filterset_class = ResourceFilterSet
    search_fields = ["title", "description"]
    ordering = ["-updated_at"]

    add_view_class = without_autosave(snippet_views.CreateView)
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
                    FieldPanel("keywords"),
                    FieldRowPanel([FieldPanel("resource_type"), FieldPanel("interactivity"), FieldPanel("language")]),
                    FieldPanel("educational_use", widget=forms.CheckboxSelectMultiple),
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
                    FieldPanel("subjects", widget=SUBJECT_CHECKBOXES),
                    FieldRowPanel(
                        [
                            FieldPanel("grades", widget=forms.CheckboxSelectMultiple),
                            FieldPanel("levels", widget=forms.CheckboxSelectMultiple),
                            FieldPanel("lesson_number"),
                        ]
                    ),
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
                    FieldPanel("authors"),
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


@hooks.register("register_admin_urls")
def register_catalog_search_url():
    return [path("catalog-search/", catalog_search_view, name="catalog_search")]


@hooks.register("register_admin_search_area")
def register_catalog_search_area():
    # The first search area is the sidebar's «Поиск»: it searches the catalog, not Wagtail pages.
    return SearchArea("Каталог", reverse("catalog_search"), name="catalog", icon_name="search", order=0)


# Wagtail's parts a catalog without pages and documents does not use (Wagtail «Коллекции» would be confused with
# «Подборки»; help links to the page editor's guide in English).
HIDDEN_MENU_ITEMS = {"explorer", "documents", "help"}
HIDDEN_SETTINGS_ITEMS = {"collections", "workflows", "workflow-tasks", "sites", "locales", "redirects"}
HIDDEN_PANELS = {
    "whats_new_in_wagtail_version",
    "locked_pages",
    "recent_edits",
    "pages_for_moderation",
    "site_summary",
    "upgrade_notification",
}


@hooks.register("construct_main_menu")
def hide_unused_menu_items(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_MENU_ITEMS]


@hooks.register("construct_settings_menu")
def hide_unused_settings_items(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_SETTINGS_ITEMS]


@hooks.register("construct_homepage_summary_items")
def hide_page_counts(request, summary_items):
    summary_items.clear()


@hooks.register("construct_homepage_panels")
def catalog_dashboard_panels(request, panels):
    panels[:] = [panel for panel in panels if getattr(panel, "name", "") not in HIDDEN_PANELS]
    panels.extend([WorkQueuesPanel(), CatalogStatePanel()])
    panels.sort(key=lambda panel: getattr(panel, "order", 1000))


@hooks.register("insert_global_admin_css")
def catalog_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("resources/admin.css"))


@hooks.register("insert_global_admin_js")
def catalog_admin_js():
    return format_html('<script src="{}"></script>', static("resources/admin.js"))
