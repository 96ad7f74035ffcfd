"""A synthetic L2 book in integer ticks and lots that follows the mid price.

The best bid and ask sit ``spread`` ticks apart around the mid; deeper levels sit on a fixed
grid of ``level_spacing`` ticks, so they persist while the mid wanders. Every change is remembered
until ``take_changes`` hands it out, which makes the emitted deltas reproduce this book exactly.
The book is never crossed: every bid is below every ask.
"""

from __future__ import annotations

import math
import random

BookSide = dict[int, int]
"""Price in ticks -> quantity in lots."""


class SyntheticBook:
    """Both sides of one market's book and the changes not yet published."""

    def __init__(
        self,
        rng: random.Random,
        *,
        depth: int,
        level_spacing: int,
        typical_level_lots: float,
    ) -> None:
        """Raises ValueError for a depth or spacing below 1."""
        if depth < 1 or level_spacing < 1:
            raise ValueError("depth and level spacing must be at least 1")
        self._rng = rng
        self.depth = depth
        self.level_spacing = level_spacing
        self.typical_level_lots = max(typical_level_lots, 1.0)
        self.bids: BookSide = {}
        self.asks: BookSide = {}
        self._bid_changes: BookSide = {}
        self._ask_changes: BookSide = {}
        self._anchor_bid = self._anchor_ask = 0
        self._holes = False
        """Whether a level was taken since ``follow`` last shaped the book."""

    @property
    def best_bid(self) -> int:
        """The highest bid in ticks (0 when the side is empty)."""
        return max(self.bids, default=0)

    @property
    def best_ask(self) -> int:
        """The lowest ask in ticks (0 when the side is empty)."""
        return min(self.asks, default=0)

    def follow(self, mid_ticks: float, spread: int) -> None:
        """Move the book to ``mid_ticks``: drop levels that no longer belong, add missing ones."""
        best_bid = max(1, math.floor(mid_ticks - spread / 2.0))
        best_ask = best_bid + max(1, spread)
        if best_bid == self._anchor_bid and best_ask == self._anchor_ask and not self._holes:
            return
        self._anchor_bid, self._anchor_ask, self._holes = best_bid, best_ask, False
        spacing = self.level_spacing
        deeper = spacing * (self.depth - 1)
        below = (best_bid - 1) // spacing * spacing
        bid_levels = [best_bid, *range(below, max(0, below - deeper), -spacing)]
        above = (best_ask // spacing + 1) * spacing
        ask_levels = [best_ask, *range(above, above + deeper, spacing)]
        self._reshape(self.bids, self._bid_changes, bid_levels)
        self._reshape(self.asks, self._ask_changes, ask_levels)

    def perturb(self, count: int) -> None:
        """Change ``count`` random levels' quantities, as orders are added and cancelled."""
        rng = self._rng
        for _ in range(count):
            is_bid = rng.random() < 0.5
            side, changes = (
                (self.bids, self._bid_changes) if is_bid else (self.asks, self._ask_changes)
            )
            if not side:
                continue
            ordered = sorted(side, reverse=is_bid)
            rank = min(int(rng.expovariate(0.25)), len(ordered) - 1)  # near the top, mostly
            price = ordered[rank]
            lots = max(1, round(side[price] * rng.lognormvariate(0.0, 0.35)))
            side[price] = lots
            changes[price] = lots

    def consume(self, aggressor_buys: bool, lots: int, max_levels: int) -> list[tuple[int, int]]:
        """Take ``lots`` from the opposite side, best first, over at most ``max_levels`` levels.

        Returns the fills as (price ticks, lots); fewer lots when the levels run out.
        """
        side, changes = (
            (self.asks, self._ask_changes)
            if aggressor_buys
            else (
                self.bids,
                self._bid_changes,
            )
        )
        fills: list[tuple[int, int]] = []
        for price in sorted(side, reverse=not aggressor_buys)[:max_levels]:
            available = side[price]
            taken = min(available, lots)
            fills.append((price, taken))
            lots -= taken
            if taken == available:
                del side[price]
                changes[price] = 0
                self._holes = True
            else:
                side[price] = changes[price] = available - taken
            if not lots:
                break
        return fills

    def take_changes(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """The changed (price, lots) levels since the last call, bids high to low, asks low to high.

        A quantity of 0 means the level was removed.
        """
        bids = sorted(self._bid_changes.items(), reverse=True)
        asks = sorted(self._ask_changes.items())
        self._bid_changes = {}
        self._ask_changes = {}
        return bids, asks

    def levels(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Every level as (price, lots), bids high to low, asks low to high."""
        return sorted(self.bids.items(), reverse=True), sorted(self.asks.items())

    def _reshape(self, side: BookSide, changes: BookSide, wanted: list[int]) -> None:
        for price in side.keys() - set(wanted):
            del side[price]
            changes[price] = 0
        for rank, price in enumerate(wanted):
            if price not in side:
                lots = self._fresh_lots(rank)
                side[price] = changes[price] = lots

    def _fresh_lots(self, rank: int) -> int:
        deeper = 1.0 + 0.15 * rank
        return max(1, round(self.typical_level_lots * deeper * self._rng.lognormvariate(0.0, 0.8)))
