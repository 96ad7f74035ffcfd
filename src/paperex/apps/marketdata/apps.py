from django.apps import AppConfig
from django.conf import settings


class MarketDataConfig(AppConfig):
    """The process's market data: feeds, the bus, live state, venue sync and replays."""

    name = "paperex.apps.marketdata"
    label = "marketdata"
    verbose_name = "Market data"

    def ready(self) -> None:
        from paperex.apps.core.metrics import add_collector
        from paperex.apps.core.periodic import PeriodicJob
        from paperex.apps.core.retention import prune_and_log, rules_register
        from paperex.apps.marketdata.metrics import MarketDataCollector
        from paperex.apps.marketdata.retention import replay_rules
        from paperex.apps.marketdata.runtime import runtime

        add_collector(MarketDataCollector())
        rules_register(replay_rules)
        # With the other periodic jobs: in one process per deployment, the embedded server's
        # or `paperex feed`'s.
        runtime.add_periodic_job(
            PeriodicJob("prune", prune_and_log, seconds=settings.PAPEREX_PRUNE_SECONDS)
        )
