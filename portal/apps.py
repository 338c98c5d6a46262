from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The teachers' site: server-rendered Russian pages over the public API's search and read services."""

    name = "portal"
    verbose_name = "Сайт для учителей"
