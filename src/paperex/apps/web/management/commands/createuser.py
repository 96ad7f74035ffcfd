import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.trading.protocol import EngineUnavailableError


class Command(BaseCommand):
    help = "Create a user with the virtual starting balances (--admin for the Django admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Asked for when omitted.")
        parser.add_argument("--admin", action="store_true", help="Staff and superuser rights.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        password = options["password"] or getpass.getpass(f"Password for {username}: ")
        try:
            user_register(
                username=username,
                password=password,
                email=options["email"],
                admin=options["admin"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except EngineUnavailableError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created user {username!r}.")
