from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "content_repo.alignment"
    label = "alignment"
    verbose_name = "Привязка к программе"
    default_auto_field = "django.db.models.BigAutoField"
