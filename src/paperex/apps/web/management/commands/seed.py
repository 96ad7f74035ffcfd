from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paperex.apps.accounts.services import user_ensure
from paperex.apps.markets.services import markets_seed
from paperex.apps.trading.protocol import EngineUnavailableError


class Command(BaseCommand):
    help = "Load the default assets and markets and the demo user (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        markets = markets_seed()
        demo = settings.PAPEREX_DEMO_USER
        try:
            user_ensure(username=demo["username"], password=demo["password"])
        except EngineUnavailableError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Seeded {len(markets)} markets and the demo user "
            f"{demo['username']!r} (password {demo['password']!r})."
        )
