"""What one WebSocket API connection remembers: when it connected, the key it logged on with
(``session.logon``, Ed25519 keys only) and its user data stream subscriptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from paperex.apps.binance.errors import BinanceError

MAX_SUBSCRIPTIONS = 1000
"""Binance's limit of active subscriptions per session."""
MAX_SUBSCRIPTION_IDS = 65_535
"""Binance's limit of subscriptions over a session's life."""


@dataclass(frozen=True)
class Subscription:
    """A user data stream subscription: whose events, and whether ``userDataStream.subscribe``
    (of the logged-on key, ended by ``session.logout``) made it."""

    user_id: int
    by_logon: bool


@dataclass
class Session:
    """One connection's state."""

    connected_since: int
    return_rate_limits: bool
    api_key: str | None = None
    user_id: int | None = None
    authorized_since: int | None = None
    subscriptions: dict[int, Subscription] = field(default_factory=dict)
    next_subscription_id: int = 0

    def status(self, server_time: int) -> dict[str, Any]:
        """The result of ``session.logon``, ``session.status`` and ``session.logout``."""
        return {
            "apiKey": self.api_key,
            "authorizedSince": self.authorized_since,
            "connectedSince": self.connected_since,
            "returnRateLimits": self.return_rate_limits,
            "serverTime": server_time,
            "userDataStream": bool(self.subscriptions),
        }

    def log_on(self, *, api_key: str, user_id: int, now: int) -> None:
        """Use ``api_key`` for the requests that name none (a new one replaces the old)."""
        self.api_key, self.user_id, self.authorized_since = api_key, user_id, now

    def log_out(self) -> list[int]:
        """Forget the key; returns the subscriptions it made, which end with it."""
        self.api_key = self.user_id = self.authorized_since = None
        return [number for number, kept in self.subscriptions.items() if kept.by_logon]

    def subscribe(self, *, user_id: int, by_logon: bool) -> int:
        """A new subscription to the user's events and its id; raises -2035 when one of the
        user's is active, -1191/-2042 past Binance's limits."""
        if any(kept.user_id == user_id for kept in self.subscriptions.values()):
            raise BinanceError(-2035, "User Data Stream subscription already active.")
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise BinanceError(
                -1191,
                f"Too many subscriptions. Connection may create up to '{MAX_SUBSCRIPTIONS}' "
                "subscriptions at a time.",
            )
        if self.next_subscription_id >= MAX_SUBSCRIPTION_IDS:
            raise BinanceError(-2042, "Maximum subscription ID reached for this connection.")
        number = self.next_subscription_id
        self.next_subscription_id += 1
        self.subscriptions[number] = Subscription(user_id, by_logon)
        return number

    def subscribed(self, user_id: int) -> bool:
        """Whether any subscription follows the user."""
        return any(kept.user_id == user_id for kept in self.subscriptions.values())

    def subscriptions_of(self, user_id: int) -> list[int]:
        """The ids of the subscriptions that follow the user."""
        return [number for number, kept in self.subscriptions.items() if kept.user_id == user_id]
