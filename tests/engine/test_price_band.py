"""PERCENT_PRICE_BY_SIDE: order prices stay in the band around the reference price, and takers of
every kind stop at its edge instead of sweeping stale orders far from the market."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.domain import (
    ExpiryReason,
    MarketMode,
    OrderStatus,
    OrderType,
    PercentPriceBySide,
    RejectReason,
    Side,
)
from paperex.domain.commands import RecordReferenceTrade
from paperex.domain.events import (
    AmendRejected,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderExpired,
    OrderRejected,
    OrderTriggered,
    TradeExecuted,
)
from paperex.engine import MatchingEngine
from tests.support.engine import (
    ALICE,
    BOB,
    SYMBOL,
    amend,
    free_and_locked,
    make_engine,
    of_type,
    only,
    place,
    trade_at,
)

BUY, SELL = Side.BUY, Side.SELL
MARKET = OrderType.MARKET
BAND = PercentPriceBySide(
    bid_multiplier_up=Decimal("1.2"),
    bid_multiplier_down=Decimal("0.8"),
    ask_multiplier_up=Decimal("1.25"),
    ask_multiplier_down=Decimal("0.75"),
)
"""Around a reference price of 100: buys may be priced 80..120, sells 75..125."""


def banded(mode: MarketMode = MarketMode.EXCHANGE) -> MatchingEngine:
    return make_engine(mode=mode, band=BAND)


def trades(events: list[Event]) -> list[tuple[int, int]]:
    return [(t.price, t.quantity) for t in of_type(events, TradeExecuted)]


def test_the_band_multipliers_must_hold_the_reference_price() -> None:
    with pytest.raises(ValueError, match="bid multipliers"):
        PercentPriceBySide(Decimal("0.9"), Decimal("0.8"), Decimal(5), Decimal("0.2"))
    with pytest.raises(ValueError, match="ask multipliers"):
        PercentPriceBySide(Decimal(5), Decimal("0.2"), Decimal(5), Decimal("-0.1"))


@pytest.mark.parametrize(
    ("order_type", "stop_prices"),
    [
        (OrderType.LIMIT, {BUY: None, SELL: None}),
        (OrderType.LIMIT_MAKER, {BUY: None, SELL: None}),
        (OrderType.STOP_LOSS_LIMIT, {BUY: 110, SELL: 90}),
        (OrderType.TAKE_PROFIT_LIMIT, {BUY: 90, SELL: 110}),
    ],
)
@pytest.mark.parametrize(
    ("side", "price", "accepted"),
    [
        (BUY, 120, True),
        (BUY, 121, False),
        (BUY, 80, True),
        (BUY, 79, False),
        (SELL, 125, True),
        (SELL, 126, False),
        (SELL, 75, True),
        (SELL, 74, False),
    ],
)
def test_a_limit_price_must_lie_in_its_sides_band(
    order_type: OrderType,
    stop_prices: dict[Side, int | None],
    side: Side,
    price: int,
    accepted: bool,
) -> None:
    engine = banded()
    trade_at(engine, 100)
    events = place(
        engine, ALICE, side, price, 1, order_type=order_type, stop_price=stop_prices[side]
    )
    if accepted:
        assert only(events, OrderAccepted).price == price
    else:
        rejected = only(events, OrderRejected)
        assert rejected.reason is RejectReason.PERCENT_PRICE_BY_SIDE
        assert "Filter failure: PERCENT_PRICE_BY_SIDE" in rejected.message


def test_no_price_is_out_of_band_before_the_market_has_a_reference_price() -> None:
    engine = banded()
    assert only(place(engine, ALICE, BUY, 1_000, 1), OrderAccepted)
    assert only(place(engine, ALICE, SELL, 5_000, 1), OrderAccepted)


def test_a_paper_markets_band_follows_the_reference_trades_not_the_users() -> None:
    engine = banded(MarketMode.PAPER)
    engine.process(
        RecordReferenceTrade(timestamp=1, symbol=SYMBOL, price=100, quantity=1, aggressor=BUY)
    )
    trade_at(engine, 120)  # the users trade at the top of the band
    assert engine.last_price(SYMBOL) == 120
    rejected = only(place(engine, ALICE, BUY, 130, 1), OrderRejected)
    assert rejected.reason is RejectReason.PERCENT_PRICE_BY_SIDE
    assert only(place(engine, ALICE, BUY, 120, 1), OrderAccepted)


def test_an_amend_to_a_price_outside_the_band_is_rejected() -> None:
    engine = banded()
    order_id = only(place(engine, ALICE, BUY, 50, 2), OrderAccepted).order_id  # no band yet
    trade_at(engine, 100)
    rejected = only(amend(engine, ALICE, order_id, price=79), AmendRejected)
    assert rejected.reason is RejectReason.PERCENT_PRICE_BY_SIDE
    assert only(amend(engine, ALICE, order_id, quantity=1), OrderAmended).price == 50
    assert only(amend(engine, ALICE, order_id, price=80), OrderAmended).price == 80


def test_a_market_buy_stops_at_the_band_edge_and_the_rest_expires() -> None:
    engine = banded()
    place(engine, ALICE, SELL, 300, 5)  # stale: no band before the first trade
    trade_at(engine, 100)
    place(engine, ALICE, SELL, 110, 2)
    events = place(engine, BOB, BUY, None, 5, order_type=MARKET)
    assert only(events, OrderAccepted).locked == 220  # only what the band lets it buy
    assert trades(events) == [(110, 2)]
    expired = only(events, OrderExpired)
    assert (expired.filled, expired.reason) == (2, ExpiryReason.PRICE_BAND)
    assert engine.depth(SYMBOL)[1] == [(300, 5)]
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 + 100 - 220, 0)  # sold 1 at 100


def test_a_market_sell_does_not_fill_against_a_stale_bid_far_below_the_market() -> None:
    engine = banded()
    place(engine, ALICE, BUY, 10, 5)  # stale: no band before the first trade
    trade_at(engine, 100)
    place(engine, ALICE, BUY, 90, 1)
    events = place(engine, BOB, SELL, None, 3, order_type=MARKET)
    assert trades(events) == [(90, 1)]
    assert only(events, OrderExpired).reason is ExpiryReason.PRICE_BAND
    assert engine.depth(SYMBOL)[0] == [(10, 5)]


def test_a_market_order_that_runs_out_of_liquidity_inside_the_band_expires_as_before() -> None:
    engine = banded()
    trade_at(engine, 100)
    place(engine, ALICE, SELL, 110, 2)
    events = place(engine, BOB, BUY, None, 5, order_type=MARKET)
    assert only(events, OrderExpired).reason is ExpiryReason.TIME_IN_FORCE


@pytest.mark.parametrize(
    ("side", "stale_price", "in_band_price", "spent"),
    [(BUY, 300, 110, 220), (SELL, 10, 90, 180)],
)
def test_a_market_order_by_quote_amount_trades_only_inside_the_band(
    side: Side, stale_price: int, in_band_price: int, spent: int
) -> None:
    engine = banded()
    place(engine, ALICE, side.opposite, stale_price, 5)
    trade_at(engine, 100)
    place(engine, ALICE, side.opposite, in_band_price, 2)
    events = place(engine, BOB, side, None, None, order_type=MARKET, quote_amount=1_000)
    assert trades(events) == [(in_band_price, 2)]
    assert of_type(events, OrderAccepted)[0].quantity == 2
    book = engine.depth(SYMBOL)[1 if side is BUY else 0]
    assert book == [(stale_price, 5)]
    received = -spent if side is BUY else spent
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000 + 100 + received, 0)


@pytest.mark.parametrize(
    ("order_type", "side", "stop_price", "trigger_at", "in_band", "stale"),
    [
        # The trigger moves the last price: at 95 a sell's band is 72..118 and a buy's 76..114,
        # at 105 a sell's is 79..131 and a buy's 84..126.
        (OrderType.STOP_LOSS, SELL, 96, 95, (94, 1), (60, 5)),
        (OrderType.TAKE_PROFIT, BUY, 96, 95, (105, 1), (200, 5)),
        (OrderType.STOP_LOSS, BUY, 104, 105, (110, 1), (200, 5)),
        (OrderType.TAKE_PROFIT, SELL, 104, 105, (100, 1), (60, 5)),
    ],
)
def test_a_triggered_stop_market_order_stops_at_the_band_edge(
    order_type: OrderType,
    side: Side,
    stop_price: int,
    trigger_at: int,
    in_band: tuple[int, int],
    stale: tuple[int, int],
) -> None:
    engine = banded()
    place(engine, ALICE, side.opposite, *stale)
    trade_at(engine, 100)
    place(engine, ALICE, side.opposite, *in_band)
    stop = place(engine, BOB, side, None, 3, order_type=order_type, stop_price=stop_price)
    order_id = only(stop, OrderAccepted).order_id
    events = trade_at(engine, trigger_at)
    assert only(events, OrderTriggered).order_id == order_id
    assert [trade[0] for trade in trades(events)] == [trigger_at, in_band[0]]
    expired = only(events, OrderExpired)
    assert (expired.order_id, expired.reason) == (order_id, ExpiryReason.PRICE_BAND)
    assert engine.depth(SYMBOL)[1 if side is BUY else 0] == [stale]


def test_a_triggered_stop_limit_priced_outside_the_band_does_not_rest_through_the_book() -> None:
    engine = banded()
    trade_at(engine, 100)
    events = place(engine, BOB, BUY, 118, 3, order_type=OrderType.TAKE_PROFIT_LIMIT, stop_price=85)
    order_id = only(events, OrderAccepted).order_id
    place(engine, ALICE, SELL, 100, 1)
    place(engine, ALICE, SELL, 110, 5)
    events = trade_at(engine, 85)  # a buy's band is now 68..102
    assert only(events, OrderTriggered).order_id == order_id
    assert trades(events) == [(85, 1), (100, 1)]
    expired = only(events, OrderExpired)
    assert (expired.order_id, expired.filled, expired.reason) == (
        order_id,
        1,
        ExpiryReason.PRICE_BAND,
    )
    assert engine.depth(SYMBOL) == ([], [(110, 5)])


def test_a_triggered_stop_limit_priced_outside_the_band_rests_when_nothing_is_in_reach() -> None:
    engine = banded()
    trade_at(engine, 100)
    place(engine, BOB, BUY, 118, 3, order_type=OrderType.TAKE_PROFIT_LIMIT, stop_price=85)
    place(engine, ALICE, SELL, 120, 5)
    trade_at(engine, 85)
    assert engine.depth(SYMBOL) == ([(118, 3)], [(120, 5)])
    (order,) = engine.open_orders(BOB)
    assert (order.triggered, order.status) == (True, OrderStatus.NEW)
