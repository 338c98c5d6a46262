from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "importers"
    verbose_name = "Сбор данных"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_sources, dispatch_uid="importers.builtin_sources")


def _ensure_sources(sender: object = None, using: str = "default", **kwargs: object) -> None:
    """The built-in sources exist after every ``migrate`` (a deployer never has to create them by hand).

    Like the reference data, on the last app's signal: the methodists' group and every permission exist then.
    """
    from django.db import connections

    from content_repo.resources.reference_data import is_last_post_migrate
    from importers.builtin import ensure_builtin_sources
    from importers.models import HarvestSource

    if not is_last_post_migrate(sender) or using != "default":
        return
    if HarvestSource._meta.db_table in connections[using].introspection.table_names():
        ensure_builtin_sources()
