from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "content_repo.resources"
    label = "resources"
    verbose_name = "Ресурсы"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import signals  # noqa: F401
        from .models import Resource
        from .permissions import ResourcePermissionPolicy

        register_permission_policy(Resource, ResourcePermissionPolicy(Resource))
