from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Поиск"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the indexing receivers
