"""Ledger vocabulary: where an amount moves from and to, and why."""

from __future__ import annotations

from enum import StrEnum


class LedgerBucket(StrEnum):
    """One side of a ledger entry.

    FREE and LOCKED are a user's (or the fee account's) balance buckets. EXTERNAL is the world
    outside the exchange (deposits, withdrawals, resets) and REFERENCE is the reference market
    that paper fills trade with; neither has a balance inside the engine.
    """

    FREE = "FREE"
    LOCKED = "LOCKED"
    EXTERNAL = "EXTERNAL"
    REFERENCE = "REFERENCE"


class LedgerReason(StrEnum):
    """Why an amount moved."""

    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    LOCK = "LOCK"
    RELEASE = "RELEASE"
    TRADE = "TRADE"
    FEE = "FEE"
