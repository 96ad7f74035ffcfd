from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "paperex.apps.journal"
    label = "journal"
    verbose_name = "Trade journal"

    def ready(self) -> None:
        from django.conf import settings

        from paperex.apps.core.periodic import PeriodicJob
        from paperex.apps.journal.tasks import daily_export_if_due
        from paperex.apps.marketdata.runtime import runtime

        # With Redis, Celery beat schedules the daily export (settings.CELERY_BEAT_SCHEDULE).
        if not settings.PAPEREX_REDIS_URL:
            runtime.add_periodic_job(PeriodicJob("daily-export", daily_export_if_due, seconds=60))
