from django.apps import AppConfig


def _backtest_runs_recover() -> None:
    # The jobs' modules load numpy and the backtester: only when a job first runs.
    from paperex.apps.research.tasks import backtest_runs_recover

    backtest_runs_recover()


def _backtest_runs_expire() -> None:
    from paperex.apps.research.tasks import backtest_runs_expire

    backtest_runs_expire()


class ResearchConfig(AppConfig):
    name = "paperex.apps.research"
    label = "research"
    verbose_name = "Research: backtests and bots"

    def ready(self) -> None:
        from django.conf import settings

        from paperex.apps.core.periodic import PeriodicJob
        from paperex.apps.marketdata.runtime import runtime
        from paperex.apps.research.bot_runner import bot_runner

        runtime.add_listener(bot_runner.on_event)
        # With Redis, Celery beat expires backtests (settings.CELERY_BEAT_SCHEDULE).
        if not settings.PAPEREX_REDIS_URL:
            runtime.add_periodic_job(
                PeriodicJob("backtests-recover", _backtest_runs_recover, seconds=30)
            )
            runtime.add_periodic_job(
                PeriodicJob("backtests-expire", _backtest_runs_expire, seconds=60)
            )
