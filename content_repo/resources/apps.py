from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "content_repo.resources"
    label = "resources"
    verbose_name = "Ресурсы"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.permissions import register_permission_policy

        from . import signals  # noqa: F401
        from .models import Resource
        from .permissions import ResourcePermissionPolicy
        from .reference_data import ensure_reference_data

        register_permission_policy(Resource, ResourcePermissionPolicy(Resource))
        # Acts once per migrate, on the last app's signal (see ensure_reference_data); importers, connected
        # later, adds its built-in sources after it.
        post_migrate.connect(ensure_reference_data, dispatch_uid="resources.reference_data")
