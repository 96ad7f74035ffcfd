"""A client's local order book kept from Binance's diff depth stream as web-socket-streams.md
says: a ``/api/v3/depth`` snapshot, the buffered diffs after it, then each next diff."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

Levels = list[tuple[Decimal, Decimal]]


def depth_levels(depth: dict[str, Any], side: str) -> Levels:
    """One side of a ``/api/v3/depth`` answer (or a partial-depth event) as exact levels."""
    return [(Decimal(price), Decimal(quantity)) for price, quantity in depth[side]]


class LocalBook:
    """Built from a snapshot and the diffs buffered before it; raises AssertionError when the
    diffs do not continue the snapshot or each other, as a client would start over then."""

    def __init__(self, snapshot: dict[str, Any], buffered: list[dict[str, Any]]) -> None:
        self.update_id: int = snapshot["lastUpdateId"]
        self.sides = {side: dict(depth_levels(snapshot, side)) for side in ("bids", "asks")}
        self.first_applied = True
        for diff in buffered:
            self.apply(diff)

    def apply(self, diff: dict[str, Any]) -> None:
        """Apply one diff (or drop it when the book already holds it)."""
        if diff["u"] <= self.update_id:
            return
        if self.first_applied:
            assert diff["U"] <= self.update_id + 1 <= diff["u"], "the snapshot is too old"
        else:
            assert diff["U"] == self.update_id + 1, "a gap: the book must be rebuilt"
        self.first_applied = False
        for side, key in (("bids", "b"), ("asks", "a")):
            for price, quantity in diff[key]:
                if Decimal(quantity):
                    self.sides[side][Decimal(price)] = Decimal(quantity)
                else:
                    self.sides[side].pop(Decimal(price), None)
        self.update_id = diff["u"]

    def levels(self, side: str) -> Levels:
        """One side, best first."""
        return sorted(self.sides[side].items(), reverse=side == "bids")

    def equals(self, depth: dict[str, Any]) -> bool:
        """Whether the book is ``depth`` (a ``/api/v3/depth`` answer of every level)."""
        return (self.update_id, self.levels("bids"), self.levels("asks")) == (
            depth["lastUpdateId"],
            depth_levels(depth, "bids"),
            depth_levels(depth, "asks"),
        )
