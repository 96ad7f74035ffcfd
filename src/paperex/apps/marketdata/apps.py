from django.apps import AppConfig


class MarketDataConfig(AppConfig):
    """The process's market data: feeds, the bus, live state, venue sync and replays."""

    name = "paperex.apps.marketdata"
    label = "marketdata"
    verbose_name = "Market data"
