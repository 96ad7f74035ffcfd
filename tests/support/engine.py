"""Builders for engine tests: a simple market where one tick is one quote unit per lot."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from paperex.domain import (
    Asset,
    Instrument,
    MarketMode,
    MarketSpec,
    OrderType,
    PercentPriceBySide,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.domain.commands import (
    AmendOrder,
    CancelOrder,
    Deposit,
    PlaceOrder,
    UpdateReferenceBook,
)
from paperex.domain.events import BalanceChanged, Event, LedgerEntryRecorded
from paperex.engine import MatchingEngine, balances_from_ledger

SYMBOL = "BTCUSDT"
ASSETS = (Asset("BTC", 0), Asset("USDT", 0))
"""Whole units: one lot is one BTC unit and one tick-lot one USDT unit, so notional = p * q."""
FEE_ACCOUNT = 0
ALICE, BOB, CAROL = 1, 2, 3
EventType = TypeVar("EventType")


def make_engine(
    *,
    mode: MarketMode = MarketMode.EXCHANGE,
    maker_fee: str = "0",
    taker_fee: str = "0",
    min_notional: str = "0",
    stp: SelfTradePrevention = SelfTradePrevention.NONE,
    funded: tuple[int, ...] = (ALICE, BOB, CAROL),
    amount: int = 1_000_000,
    band: PercentPriceBySide | None = None,
    requires_reference: bool = False,
) -> MatchingEngine:
    """An engine with one market and ``funded`` users holding ``amount`` of each asset."""
    instrument = Instrument(SYMBOL, "BTC", "USDT", Decimal(1), Decimal(1), Decimal(min_notional))
    spec = MarketSpec(
        instrument,
        maker_fee_rate=Decimal(maker_fee),
        taker_fee_rate=Decimal(taker_fee),
        mode=mode,
        default_self_trade_prevention=stp,
        percent_price_by_side=band,
        requires_reference=requires_reference,
    )
    engine = MatchingEngine(assets=ASSETS, markets=[spec], fee_account_id=FEE_ACCOUNT)
    for user_id in funded:
        for asset in ("BTC", "USDT"):
            engine.process(Deposit(timestamp=0, user_id=user_id, asset=asset, amount=amount))
    return engine


def paper_engine(
    bids: tuple[tuple[int, int], ...] = (), asks: tuple[tuple[int, int], ...] = ()
) -> MatchingEngine:
    """A PAPER-mode ``make_engine()`` whose reference book holds ``bids`` and ``asks``."""
    engine = make_engine(mode=MarketMode.PAPER)
    engine.process(
        UpdateReferenceBook(timestamp=1, symbol=SYMBOL, bids=bids, asks=asks, is_snapshot=True)
    )
    return engine


def place(
    engine: MatchingEngine,
    user_id: int,
    side: Side,
    price: int | None,
    quantity: int | None,
    *,
    order_type: OrderType = OrderType.LIMIT,
    time_in_force: TimeInForce = TimeInForce.GTC,
    timestamp: int = 1,
    **extra: Any,
) -> list[Event]:
    """Process a PlaceOrder and return its events."""
    return engine.process(
        PlaceOrder(
            timestamp=timestamp,
            user_id=user_id,
            symbol=SYMBOL,
            side=side,
            order_type=order_type,
            time_in_force=time_in_force,
            price=price,
            quantity=quantity,
            **extra,
        )
    )


def trade_at(engine: MatchingEngine, price: int) -> list[Event]:
    """BOB sells one lot to CAROL at ``price`` to set the last price; returns the buy's events."""
    place(engine, BOB, Side.SELL, price, 1)
    return place(engine, CAROL, Side.BUY, price, 1)


def cancel(engine: MatchingEngine, user_id: int, order_id: int) -> list[Event]:
    """Process a CancelOrder and return its events."""
    return engine.process(
        CancelOrder(timestamp=2, user_id=user_id, symbol=SYMBOL, order_id=order_id)
    )


def amend(
    engine: MatchingEngine,
    user_id: int,
    order_id: int,
    *,
    price: int | None = None,
    quantity: int | None = None,
) -> list[Event]:
    """Process an AmendOrder and return its events."""
    return engine.process(
        AmendOrder(
            timestamp=3,
            user_id=user_id,
            symbol=SYMBOL,
            order_id=order_id,
            new_price=price,
            new_quantity=quantity,
        )
    )


def of_type(events: list[Event], kind: type[EventType]) -> list[EventType]:
    """The events of one type, in order."""
    return [event for event in events if isinstance(event, kind)]


def only(events: list[Event], kind: type[EventType]) -> EventType:
    """The single event of one type; fails when there is not exactly one."""
    found = of_type(events, kind)
    assert len(found) == 1, f"expected one {kind.__name__}, got {found}"
    return found[0]


def free_and_locked(engine: MatchingEngine, user_id: int, asset: str) -> tuple[int, int]:
    """(free, locked) of one balance."""
    balance = engine.balance(user_id, asset)
    return balance.free, balance.locked


class Recorder:
    """Wraps an engine and keeps every event, to rebuild balances from the ledger."""

    def __init__(self, engine: MatchingEngine) -> None:
        self.engine = engine
        self.events: list[Event] = []

    def process(self, command: Any) -> list[Event]:
        events = self.engine.process(command)
        self.events.extend(events)
        return events

    def ledger_balances(self) -> dict[tuple[int, str], tuple[int, int]]:
        rebuilt = balances_from_ledger(of_type(self.events, LedgerEntryRecorded))
        return {(b.user_id, b.asset): (b.free, b.locked) for b in rebuilt}

    def last_reported_balances(self) -> dict[tuple[int, str], tuple[int, int]]:
        reported: dict[tuple[int, str], tuple[int, int]] = {}
        for event in of_type(self.events, BalanceChanged):
            reported[(event.user_id, event.asset)] = (event.free, event.locked)
        return reported
