from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.services import apikey_create
from paperex.apps.core.errors import PaperexError


class Command(BaseCommand):
    help = "API keys of the Binance-compatible API: `apikey create USERNAME [--label LABEL]`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create", help="create an HMAC-SHA256 key and print it with its secret (shown once)"
        )
        create.add_argument("username")
        create.add_argument("--label", default="cli", help="what the key is for (cli)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        try:
            user = User.objects.get(username__iexact=username)
        except User.DoesNotExist as missing:
            raise CommandError(f"No user {username!r}.") from missing
        try:
            created = apikey_create(user_id=user.pk, label=options["label"])
        except PaperexError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"api_key:    {created.key.api_key}")
        self.stdout.write(f"secret_key: {created.secret_key}")
        self.stdout.write("The secret is shown this once; keep it somewhere safe.")
