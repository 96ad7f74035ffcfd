from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from paperex.apps.core.retention import prune

KEPT_FOR_EVER = "orders, fills, trades and the ledger"


class Command(BaseCommand):
    help = "Delete the rows older than their retention setting (README 'Storage and retention')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go, delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verb = "would delete" if options["dry_run"] else "deleted"
        for item in prune(dry_run=options["dry_run"]):
            outcome = "kept for ever" if item.rows is None else f"{verb} {item.rows:,} rows"
            self.stdout.write(f"{item.name}: {outcome}")
        self.stdout.write(f"{KEPT_FOR_EVER}: kept for ever")
