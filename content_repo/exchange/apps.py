from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "content_repo.exchange"
    label = "exchange"
    verbose_name = "Обмен данными"
    default_auto_field = "django.db.models.BigAutoField"
