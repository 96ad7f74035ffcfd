"""The synthetic market: a pure, seeded generator of normalized events for a set of instruments.

Time is simulated: events arrive as a Poisson process of ``events_per_second`` from ``start_ms``
on, each picking a market by its activity times its current volatility (busy markets get busier).
A step moves that market's mid, then either trades (the aggressor leans the way the price moved;
a large order sweeps several levels, one trade per level) or publishes a book delta with every
level changed since the previous one. Each market opens with a book snapshot; update ids are
contiguous. The same instruments, seed and settings give the identical sequence of events.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from paperex.domain import Instrument, Side
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, PriceLevel, Trade
from paperex.marketdata.synthetic.book import SyntheticBook
from paperex.marketdata.synthetic.price_process import VolatilityClusteringWalk
from paperex.marketdata.synthetic.profiles import AssetProfile, profile_for

VENUE = "synthetic"


@dataclass(frozen=True, slots=True)
class MarketSettings:
    """Tunable behaviour shared by every synthetic market."""

    events_per_second: float = 50.0
    """Steps per second of simulated time over all markets (a sweep adds a few trades)."""
    trade_probability: float = 0.6
    """The share of steps that trade; the others publish a book delta."""
    volatility_scale: float = 1.0
    """Multiplies every asset's volatility (above 1 for a livelier demo)."""
    book_depth: int = 20
    """Levels on each side of every book."""
    level_spacing_fraction: float = 0.00002
    """The gap between deeper levels as a fraction of the price (at least one tick)."""
    aggressor_lean: float = 4.0
    """How strongly the aggressor side follows the step's move (0: coin flip); big moves also
    bring bigger aggressive orders."""
    max_sweep_levels: int = 5
    """The most levels one aggressive order takes."""


class _MarketSimulation:
    """One instrument's price walk, book, ids and trade-size model."""

    def __init__(
        self,
        instrument: Instrument,
        profile: AssetProfile,
        settings: MarketSettings,
        rng: random.Random,
    ) -> None:
        self.instrument = instrument
        self.symbol = instrument.symbol
        self.profile = profile
        self.rng = rng
        self.tick = float(instrument.tick_size)
        self.step = float(instrument.step_size)
        start_price = float(profile.start_price)
        variance = profile.variance_per_second * settings.volatility_scale**2
        self.walk = VolatilityClusteringWalk(
            rng, start_price=start_price, variance_per_second=variance
        )
        typical_level_lots = 4.0 * profile.median_trade_notional / start_price / self.step
        spacing = max(1, round(start_price * settings.level_spacing_fraction / self.tick))
        self.book = SyntheticBook(
            rng,
            depth=settings.book_depth,
            level_spacing=spacing,
            typical_level_lots=typical_level_lots,
        )
        self.last_step_seconds = 0.0
        self.next_trade_id = 1
        self.last_update_id = 0
        self.book.follow(self.mid_ticks(), self.spread())
        self.book.take_changes()

    def mid_ticks(self) -> float:
        return self.walk.price / self.tick

    def spread(self) -> int:
        return max(1, round(self.profile.spread_ticks * self.walk.volatility_multiplier))

    def price(self, ticks: int) -> Decimal:
        return ticks * self.instrument.tick_size

    def quantity(self, lots: int) -> Decimal:
        return lots * self.instrument.step_size

    def trade_lots(self, urgency: float) -> int:
        notional = self.profile.median_trade_notional * self.rng.lognormvariate(0.0, 1.0)
        notional *= urgency
        if self.rng.random() < 0.03:
            notional *= self.rng.paretovariate(1.3)  # the occasional whale
        return max(1, round(notional / self.walk.price / self.step))

    def levels(self, changes: list[tuple[int, int]]) -> list[PriceLevel]:
        return [(self.price(price), self.quantity(lots)) for price, lots in changes]


class SyntheticMarket:
    """Deterministic events for ``instruments``; see the module docstring for the model."""

    def __init__(
        self,
        instruments: Sequence[Instrument],
        *,
        seed: int = 0,
        start_ms: int = 0,
        settings: MarketSettings | None = None,
        profiles: Mapping[str, AssetProfile] | None = None,
    ) -> None:
        """Raises ValueError without instruments, with duplicate symbols or a bad event rate."""
        if not instruments:
            raise ValueError("a synthetic market needs at least one instrument")
        symbols = [instrument.symbol for instrument in instruments]
        if len(set(symbols)) != len(symbols):
            raise ValueError(f"duplicate symbols in {symbols}")
        self.settings = settings or MarketSettings()
        if not self.settings.events_per_second > 0:
            raise ValueError("events_per_second must be positive")
        self.start_ms = start_ms
        self._rng = random.Random(seed)
        chosen = profiles or {}
        self._markets = [
            _MarketSimulation(
                instrument,
                chosen.get(instrument.symbol) or profile_for(instrument),
                self.settings,
                self._rng,
            )
            for instrument in instruments
        ]
        self._by_symbol = {market.symbol: market for market in self._markets}
        self._elapsed_seconds = 0.0

    @property
    def symbols(self) -> list[str]:
        """The simulated symbols, in the order given."""
        return list(self._by_symbol)

    @property
    def now_ms(self) -> int:
        """The simulated time of the latest step, ms since the epoch."""
        return self.start_ms + int(self._elapsed_seconds * 1000.0)

    def opening_events(self) -> list[BookSnapshot]:
        """A book snapshot per market at the current time: what a new subscriber starts from."""
        return [self.book_snapshot(market.symbol) for market in self._markets]

    def book_snapshot(self, symbol: str) -> BookSnapshot:
        """``symbol``'s whole book now; the next delta continues its update id.

        Raises KeyError for an unknown symbol.
        """
        market = self._by_symbol[symbol]
        bids, asks = market.book.levels()
        now = self.now_ms
        return BookSnapshot(
            venue=VENUE,
            symbol=symbol,
            event_time=now,
            received_at=now,
            last_update_id=market.last_update_id,
            bids=market.levels(bids),
            asks=market.levels(asks),
        )

    def step(self) -> list[Event]:
        """Advance to the next arrival and return its events (one delta, or one or more trades)."""
        rng = self._rng
        self._elapsed_seconds += rng.expovariate(self.settings.events_per_second)
        weights = [
            market.profile.activity * market.walk.volatility_multiplier for market in self._markets
        ]
        market = rng.choices(self._markets, weights)[0]
        if rng.random() < self.settings.trade_probability:
            # Prices move as aggressive orders hit the book: the walk advances on trades only.
            shock = market.walk.step(self._elapsed_seconds - market.last_step_seconds)
            market.last_step_seconds = self._elapsed_seconds
            market.book.follow(market.mid_ticks(), market.spread())
            return self._trades(market, shock)
        market.book.follow(market.mid_ticks(), market.spread())
        market.book.perturb(1 + int(rng.expovariate(0.5)))
        return [self._delta(market)]

    def _trades(self, market: _MarketSimulation, shock: float) -> list[Event]:
        lean = self.settings.aggressor_lean * shock
        buy_probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, lean))))
        aggressor_buys = self._rng.random() < buy_probability
        fills = market.book.consume(
            aggressor_buys,
            market.trade_lots(1.0 + abs(shock) / 2.0),
            self.settings.max_sweep_levels,
        )
        now = self.now_ms
        aggressor = Side.BUY if aggressor_buys else Side.SELL
        trades: list[Event] = []
        for price, lots in fills:
            trades.append(
                Trade(
                    venue=VENUE,
                    symbol=market.symbol,
                    event_time=now,
                    received_at=now,
                    trade_id=market.next_trade_id,
                    price=market.price(price),
                    quantity=market.quantity(lots),
                    trade_time=now,
                    aggressor=aggressor,
                )
            )
            market.next_trade_id += 1
        return trades

    def _delta(self, market: _MarketSimulation) -> BookDelta:
        bids, asks = market.book.take_changes()
        first = market.last_update_id + 1
        market.last_update_id += max(1, len(bids) + len(asks))
        now = self.now_ms
        return BookDelta(
            venue=VENUE,
            symbol=market.symbol,
            event_time=now,
            received_at=now,
            first_update_id=first,
            final_update_id=market.last_update_id,
            bids=market.levels(bids),
            asks=market.levels(asks),
        )
