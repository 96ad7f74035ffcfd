"""Failed logins are limited per address and per username: a username that failed a few times
is slowed (``login_username_burst``, a few a minute), then refused for longer
(``login_username``); an address that failed too often is refused in front of the application
(``core/address_limits.py``). A refused attempt checks no password, so a flood of guesses costs
the server almost nothing and other users' logins stay fast.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from paperex.apps.core.limits import count_event, refuse_if_reached, request_address

USERNAME_LIMITS = ("login_username_burst", "login_username")


def _username_key(username: Any) -> str:
    return str(username or "").casefold()


def refuse_if_login_limited(username: Any) -> None:
    """Raises RateLimitedError while ``username`` may not try again."""
    for name in USERNAME_LIMITS:
        refuse_if_reached(name, _username_key(username))


@receiver(user_login_failed)
def _count_failed_login(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    key = _username_key(credentials.get("username"))
    for name in USERNAME_LIMITS:
        count_event(name, key)
    if request is not None:
        count_event("login_address", request_address(request))
