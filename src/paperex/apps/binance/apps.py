from django.apps import AppConfig


class BinanceConfig(AppConfig):
    """The Binance-compatible facade: ``/api/v3`` (and ``/sapi`` answers for ccxt) over the same
    selectors and services as Paperex's own API, and Binance's market streams over the hub."""

    name = "paperex.apps.binance"
    label = "binance"
    verbose_name = "Binance-compatible API"

    def ready(self) -> None:
        from paperex.apps.binance.market_streams.publisher import market_event_published
        from paperex.apps.binance.market_streams.tradable_book import tradable_books
        from paperex.apps.marketdata.runtime import runtime

        runtime.add_listener(market_event_published)
        runtime.add_listener(tradable_books.feed_updated)
