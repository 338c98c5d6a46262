from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "storage"
    verbose_name = "Файлы"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wagtail.permissions import register_permission_policy

        from content_repo.resources import attachments
        from storage.admin import StoredFilePermissionPolicy
        from storage.models import StoredFile
        from storage.pdf import configure_qpdf
        from storage.resource_files import StorageAttachments

        register_permission_policy(StoredFile, StoredFilePermissionPolicy(StoredFile))
        configure_qpdf()
        attachments.register(StorageAttachments())
