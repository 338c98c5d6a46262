from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "content_repo.collections"
    label = "collections"
    verbose_name = "Подборки"
    default_auto_field = "django.db.models.BigAutoField"
