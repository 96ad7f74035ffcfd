"""This process's market data in ``/metrics``, read at scrape time from the feed pipeline: no
cost on the path of the events themselves."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from paperex.apps.marketdata.runtime import runtime


class MarketDataCollector(Collector):
    """Feed events, drops, parse errors, reconnects and lag, and the markets with data."""

    def collect(self) -> Iterator[Metric]:
        markets = GaugeMetricFamily(
            "paperex_market_data_markets", "Markets this process has market data of"
        )
        markets.add_metric([], len(runtime.state.symbols))
        yield markets
        pipeline = runtime.pipeline
        if pipeline is None:
            return
        events = CounterMetricFamily("paperex_feed_events", "Market-data events published")
        events.add_metric([], pipeline.events_published)
        yield events
        dropped = CounterMetricFamily(
            "paperex_feed_events_dropped", "Events dropped while the bus was away"
        )
        dropped.add_metric([], pipeline.events_dropped)
        yield dropped
        lag = GaugeMetricFamily(
            "paperex_feed_lag_seconds", "How far the latest events arrived behind venue time"
        )
        lag.add_metric([], pipeline.lag_ms / 1000)
        yield lag
        reconnects = CounterMetricFamily(
            "paperex_feed_reconnects", "Reconnections to a venue", labels=["venue"]
        )
        parse_errors = CounterMetricFamily(
            "paperex_feed_parse_errors", "Venue messages that could not be read", labels=["venue"]
        )
        for feed in pipeline.feeds:
            reconnects.add_metric([feed.venue], feed.status.reconnects)
            parse_errors.add_metric([feed.venue], feed.status.parse_errors)
        yield reconnects
        yield parse_errors
