from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    label = "ops"
    verbose_name = "Эксплуатация"

    def ready(self) -> None:
        from search.service import backend_searched

        from . import metrics, tasks

        tasks.connect_signals()
        backend_searched.connect(metrics.observe_search, dispatch_uid="ops.metrics.observe_search")
