from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "content_repo.curriculum"
    label = "curriculum"
    verbose_name = "Программа"
    default_auto_field = "django.db.models.BigAutoField"
