from django.apps import AppConfig
from django.conf import settings


class ListingsConfig(AppConfig):
    name = "paperex.apps.listings"
    label = "listings"
    verbose_name = "New listings"

    def ready(self) -> None:
        from paperex.apps.core.periodic import PeriodicJob
        from paperex.apps.listings.services import listings_check_everyone
        from paperex.apps.marketdata.runtime import runtime

        runtime.add_periodic_job(
            PeriodicJob(
                "listings-check",
                listings_check_everyone,
                seconds=settings.PAPEREX_LISTINGS_CHECK_SECONDS,
            )
        )
