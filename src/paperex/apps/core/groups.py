"""Channel-layer group names: where each kind of message is published and who listens."""

from __future__ import annotations


def user_group(user_id: int) -> str:
    """One user's private stream: orders, fills, balances and alerts."""
    return f"user.{user_id}"


def trades_group(symbol: str) -> str:
    """A market's public exchange trades."""
    return f"market.{symbol}.trades"


def book_group(symbol: str) -> str:
    """A market's exchange book updates (the users' resting orders)."""
    return f"market.{symbol}.book"
