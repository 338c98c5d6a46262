from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "content_repo.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import authentication, receivers  # noqa: F401  (schema extension, signal receivers)
