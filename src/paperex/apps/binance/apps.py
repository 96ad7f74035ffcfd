from django.apps import AppConfig


class BinanceConfig(AppConfig):
    """The Binance-compatible facade: ``/api/v3`` (and ``/sapi`` answers for ccxt) over the same
    selectors and services as Paperex's own API."""

    name = "paperex.apps.binance"
    label = "binance"
    verbose_name = "Binance-compatible API"
