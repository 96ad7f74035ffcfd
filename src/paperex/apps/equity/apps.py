from django.apps import AppConfig
from django.conf import settings


class EquityConfig(AppConfig):
    name = "paperex.apps.equity"
    label = "equity"
    verbose_name = "Equity history"

    def ready(self) -> None:
        from paperex.apps.core.periodic import PeriodicJob
        from paperex.apps.core.retention import rules_register
        from paperex.apps.equity.retention import equity_rules
        from paperex.apps.equity.services import equity_snapshots_record
        from paperex.apps.marketdata.runtime import runtime

        rules_register(equity_rules)

        runtime.add_periodic_job(
            PeriodicJob(
                "equity-snapshots",
                equity_snapshots_record,
                seconds=settings.PAPEREX_EQUITY_SNAPSHOT_SECONDS,
            )
        )
