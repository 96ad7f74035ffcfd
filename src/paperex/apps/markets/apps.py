from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "paperex.apps.markets"
    label = "markets"
