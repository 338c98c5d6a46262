from django.apps import AppConfig


class PublishersConfig(AppConfig):
    name = "content_repo.publishers"
    label = "publishers"
    verbose_name = "Организации"
    default_auto_field = "django.db.models.BigAutoField"
