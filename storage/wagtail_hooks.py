"""Registers the «Файлы» admin and the stored file chooser (see storage/admin.py)."""

from wagtail import hooks

from storage.admin import StoredFileChooserViewSet, StoredFileViewSet


@hooks.register("register_admin_viewset")
def register_file_viewsets() -> list:
    return [StoredFileViewSet(), StoredFileChooserViewSet()]
