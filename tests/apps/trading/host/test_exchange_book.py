"""The exchange book kept incrementally equals one counted afresh from the engine's orders."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from paperex.apps.trading.host.exchange_book import ExchangeBookLevels
from paperex.domain import Asset, Instrument, MarketSpec, OrderType, Side, TimeInForce
from paperex.domain.commands import CancelOrder, Deposit, EngineCommand, PlaceOrder
from paperex.engine import MatchingEngine

SYMBOL = "BTCUSDT"
USERS = (1, 2, 3)
ASSETS = [Asset("BTC", 8), Asset("USDT", 8)]
SPEC = MarketSpec(
    Instrument(
        symbol=SYMBOL,
        base="BTC",
        quote="USDT",
        tick_size=Decimal("0.01"),
        step_size=Decimal("0.001"),
        min_notional=Decimal("0"),
    )
)


def _counted(engine: MatchingEngine) -> dict[tuple[bool, int], int]:
    levels: dict[tuple[bool, int], int] = {}
    for order in engine.open_orders(symbol=SYMBOL):
        if order.price is None or (order.order_type.is_stop and not order.triggered):
            continue
        key = (order.side is Side.BUY, order.price)
        levels[key] = levels.get(key, 0) + order.quantity - order.filled
    return levels


def _place(user: int, side: Side, price: int, quantity: int) -> EngineCommand:
    return PlaceOrder(
        timestamp=1,
        user_id=user,
        symbol=SYMBOL,
        side=side,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        price=price,
        quantity=quantity,
    )


def _cancel(user: int, order_id: int) -> EngineCommand:
    return CancelOrder(timestamp=1, user_id=user, symbol=SYMBOL, order_id=order_id)


COMMANDS = st.lists(
    st.one_of(
        st.builds(
            _place,
            st.sampled_from(USERS),
            st.sampled_from([Side.BUY, Side.SELL]),
            st.integers(9_990, 10_010),
            st.integers(1, 5),
        ),
        st.builds(_cancel, st.sampled_from(USERS), st.integers(1, 40)),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(COMMANDS)
def test_levels_follow_every_touched_order(commands: list[EngineCommand]) -> None:
    engine = MatchingEngine(assets=ASSETS, markets=[SPEC], fee_account_id=99)
    for user in USERS:
        engine.process(Deposit(timestamp=0, user_id=user, asset="USDT", amount=10**12))
        engine.process(Deposit(timestamp=0, user_id=user, asset="BTC", amount=10**12))
    book = ExchangeBookLevels(engine)
    shown: dict[tuple[bool, int], int] = {}
    for command in commands:
        events = engine.process(command)
        touched = {event.order_id for event in events if hasattr(event, "order_id")}
        for symbol, (bids, asks) in book.update(touched).items():
            assert symbol == SYMBOL
            for is_bid, changes in ((True, bids), (False, asks)):
                for price, lots in changes:
                    if lots:
                        shown[(is_bid, price)] = lots
                    else:
                        shown.pop((is_bid, price), None)
        assert shown == _counted(engine)
