from django.apps import AppConfig


class VocabulariesConfig(AppConfig):
    name = "content_repo.vocabularies"
    label = "vocabularies"
    verbose_name = "Словари"
    default_auto_field = "django.db.models.BigAutoField"
