"""The «Файлы» admin: a listing of stored files with an upload form, and a chooser for the resources' inline.

Who sees what: anyone who may edit resources may upload, list and choose files (files exist to be attached);
vendors' staff see only files their organisations uploaded or attached; deleting needs
``storage.delete_storedfile`` (administrators) and a file attached to a resource cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.timezone import localtime
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic import models as model_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from storage.forms import StoredFileUploadForm
from storage.models import StoredFile, Upload
from storage.serving import download_url, upload_download_url

EDIT_RESOURCES = "resources.change_resource"


def is_restricted(user: Any) -> bool:
    """Vendors' staff (no review right) work with their own organisations' files only."""
    from content_repo.resources.permissions import is_restricted_to_own_organization

    return bool(is_restricted_to_own_organization(user))


def files_for(user: Any) -> QuerySet[StoredFile]:
    """The files ``user`` may see in the admin (all of them, or a vendor's own), annotated with the name and
    time to show (``shown_name``, ``shown_at``).

    A vendor's staff see only their own side of a shared file: the uploads of their organisations (or their
    own) with the names and times they gave, and the resources of their organisations — never that another
    organisation uploaded the same bytes first, under which name or when.
    """
    if not is_restricted(user):
        return StoredFile.objects.prefetch_related(
            "uploads__organization", "uploads__uploaded_by", "attachments"
        ).annotate(shown_name=F("original_name"), shown_at=F("created_at"))
    from content_repo.publishers.models import organizations_of
    from content_repo.resources.models import ResourceFile

    organizations = organizations_of(user)
    own_uploads = Upload.objects.filter(Q(organization__in=organizations) | Q(uploaded_by=user))
    first_own = own_uploads.filter(stored_file=OuterRef("pk")).order_by("created_at")
    own = (
        Q(uploads__organization__in=organizations)
        | Q(uploads__uploaded_by=user)
        | Q(attachments__resource__provider__in=organizations)
    )
    return (
        StoredFile.objects.filter(own)
        .distinct()
        .annotate(
            shown_name=Coalesce(Subquery(first_own.values("original_name")[:1]), Value("")),
            shown_at=Subquery(first_own.values("created_at")[:1]),
        )
        .prefetch_related(
            Prefetch("uploads", own_uploads.select_related("organization", "uploaded_by")),
            Prefetch("attachments", ResourceFile.objects.filter(resource__provider__in=organizations)),
        )
    )


class StoredFilePermissionPolicy(ModelPermissionPolicy):
    """``add``/``view``/``choose``: the file model's permission or the right to edit resources."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in {"add", "view", "choose"} and user.is_active and user.has_perm(EDIT_RESOURCES):
            return True
        return bool(super().user_has_permission(user, action))

    def user_has_any_permission(self, user: Any, actions: Any) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if not self.user_has_permission(user, action):
            return False
        return not is_restricted(user) or files_for(user).filter(pk=instance.pk).exists()


def _uploaded_by(stored: StoredFile) -> str:
    names = {str(u.organization or u.uploaded_by or "—") for u in stored.uploads.all()}
    return ", ".join(sorted(names)) or "—"


def _attached_to(stored: StoredFile) -> str:
    return format_html_join(", ", "{}", ((a.resource,) for a in stored.attachments.all())) or "—"


COLUMNS = [
    Column("shown_name", label="Имя", accessor=lambda f: f.shown_name or f.sha256[:12], sort_key="shown_name"),
    Column("mime_type", label="Тип", sort_key="mime_type"),
    Column("size", label="Размер", accessor=lambda f: filesizeformat(f.size), sort_key="size"),
    Column("sha256", label="SHA-256", accessor=lambda f: f.sha256[:12] + "…"),
    Column("uploaded_by", label="Загрузил", accessor=_uploaded_by),
    Column("attached_to", label="Прикреплён к", accessor=_attached_to),
    Column("shown_at", label="Загружен", sort_key="shown_at"),
]


class StoredFileIndexView(model_views.IndexView):
    def get_base_queryset(self) -> QuerySet[StoredFile]:
        return files_for(self.request.user)


class StoredFileInspectView(model_views.InspectView):
    def get_object(self, queryset: Any = None) -> StoredFile:
        return files_for(self.request.user).get(pk=self.pk)

    def get_fields_context(self) -> list[dict[str, Any]]:
        fields = super().get_fields_context()
        stored = self.object
        own = next(iter(stored.uploads.all()), None) if is_restricted(self.request.user) else None
        link = upload_download_url(own) if own is not None else download_url(stored)
        extra = {
            "Имя": stored.shown_name or stored.sha256[:12],
            "Загружен": date_format(localtime(stored.shown_at), "DATETIME_FORMAT") if stored.shown_at else "—",
            "Загрузил": _uploaded_by(stored),
            "Прикреплён к": _attached_to(stored),
            "Скачать": format_html_join("", '<a href="{}">{}</a>', [(link, "скачать")]),
        }
        return [{"label": label, "value": value} for label, value in extra.items()] + fields


class StoredFileCreateView(model_views.CreateView):
    def save_instance(self) -> StoredFile:
        return self.form.save()

    def get_success_message(self, instance: Any) -> str:
        return f"Файл «{instance}» сохранён."


class StoredFileViewSet(ModelViewSet):
    model = StoredFile
    icon = "doc-full-inverse"
    menu_label = "Файлы"
    menu_name = "files"
    menu_order = 250
    add_to_admin_menu = True
    name = "files"
    list_display = COLUMNS
    search_fields = ["original_name", "sha256", "mime_type"]
    list_filter = ["mime_type"]
    ordering = ["-created_at"]
    form_fields = ["original_name"]
    inspect_view_enabled = True
    inspect_view_fields = ["mime_type", "size", "sha256", "key", "width", "height"]
    copy_view_enabled = False
    index_view_class = StoredFileIndexView
    add_view_class = StoredFileCreateView
    inspect_view_class = StoredFileInspectView

    def get_form_class(self, for_update: bool = False) -> Any:
        if for_update:
            return super().get_form_class(for_update=True)
        return StoredFileUploadForm


class RestrictedChooserMixin:
    request: Any

    def get_object_list(self) -> QuerySet[StoredFile]:
        return files_for(self.request.user).order_by("-created_at")


class StoredFileChooseView(RestrictedChooserMixin, chooser_views.ChooseView):
    pass


class StoredFileChooseResultsView(RestrictedChooserMixin, chooser_views.ChooseResultsView):
    pass


class StoredFileChooserCreateView(chooser_views.CreateView):
    def get_creation_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_creation_form_kwargs(), "for_user": self.request.user}


class StoredFileChooserViewSet(ChooserViewSet):
    """The chooser that the resources' «Файлы» inline offers for its ``file`` field (with an upload tab)."""

    model = StoredFile
    icon = "doc-full-inverse"
    name = "file_chooser"
    choose_one_text = "Выбрать файл"
    choose_another_text = "Выбрать другой файл"
    edit_item_text = "Открыть файл"
    create_action_label = "Загрузить"
    creation_form_class = StoredFileUploadForm
    choose_view_class = StoredFileChooseView
    choose_results_view_class = StoredFileChooseResultsView
    create_view_class = StoredFileChooserCreateView
