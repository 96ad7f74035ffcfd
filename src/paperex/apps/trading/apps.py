from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "paperex.apps.trading"
    label = "trading"
