"""Price-time matching of an order that just became active against the book and the reference."""

from __future__ import annotations

from paperex.engine.constants import (
    EXPIRE_MAKER,
    EXPIRE_TAKER,
    EXPIRED,
    FILLED,
    FOK,
    GTC,
    INSUFFICIENT_LOCK,
    PRICE_BAND,
    SELF_TRADE_PREVENTION,
    STP_NONE,
    TIME_IN_FORCE,
)
from paperex.engine.lifecycle import expire, rest
from paperex.engine.liquidity import best_opposite, walk_liquidity
from paperex.engine.market import EngineMarket
from paperex.engine.order import WorkingOrder
from paperex.engine.price_band import taker_limit
from paperex.engine.settlement import fill
from paperex.engine.state import EngineState


def execute(state: EngineState, market: EngineMarket, order: WorkingOrder) -> None:
    """Match ``order``, then rest what is left (GTC with a price) or expire it.

    The order trades no further from the reference price than the edge of its side's price
    band (``taker_limit``); when the band stopped it short of liquidity its own price would
    reach, the rest expires (PRICE_BAND) instead of resting through that liquidity. A FOK
    order with a price expires untouched unless the book can fill all of it now.
    """
    is_buy = order.is_buy
    limit = taker_limit(market, is_buy, order.price)
    if order.time_in_force is FOK and order.price:
        available = walk_liquidity(
            market,
            order.user_id,
            is_buy,
            limit,
            order.self_trade_prevention,
            order.remaining,
            None,
        )[0]
        if available < order.remaining:
            expire(state, market, order, TIME_IN_FORCE)
            return
    if order.remaining:
        match(state, market, order, limit)
    status = order.status
    if status is FILLED or status is EXPIRED:
        return
    if limit != order.price and _band_stopped(market, is_buy, order.price):
        expire(state, market, order, PRICE_BAND)
    elif order.price and order.time_in_force is GTC and order.remaining:
        rest(market, order)
    else:
        expire(state, market, order, TIME_IN_FORCE)


def _band_stopped(market: EngineMarket, is_buy: bool, price: int) -> bool:
    """True when liquidity is left that an order at ``price`` (0: any) would still take."""
    best = best_opposite(market, is_buy)
    if best is None:
        return False
    return not price or (best <= price if is_buy else best >= price)


def match(state: EngineState, market: EngineMarket, taker: WorkingOrder, limit: int) -> None:
    """Trade ``taker`` against the best prices (users first at equal price) up to ``limit``
    (0: any), applying the taker's self-trade prevention and, for buys, what its lock can
    still pay."""
    is_buy = taker.is_buy
    book = market.asks if is_buy else market.bids
    prices = book.prices
    levels = book.levels
    reference = market.reference
    reference_side = None
    if reference is not None:
        reference_side = reference.asks if is_buy else reference.bids
    per_lot = market.quote_units_per_tick_lot
    stp = taker.self_trade_prevention
    while taker.remaining:
        level = None
        price = 0
        if prices:
            price = prices[0] if is_buy else prices[-1]
            level = levels[price]
        if reference_side is not None and reference_side.prices:
            reference_price = reference_side.prices[0 if is_buy else -1]
            if level is None or (reference_price < price if is_buy else reference_price > price):
                level = None
                price = reference_price
        elif level is None:
            return
        if limit and (price > limit if is_buy else price < limit):
            return
        quantity = taker.remaining
        if is_buy:
            affordable = taker.locked // (price * per_lot)
            if affordable < quantity:
                if not affordable:
                    expire(state, market, taker, INSUFFICIENT_LOCK)
                    return
                quantity = affordable
        if level is None:
            assert reference_side is not None
            available = reference_side.quantities[price]
            if available < quantity:
                quantity = available
            reference_side.consume(price, quantity)
            fill(state, market, taker, None, is_buy, price, quantity)
            continue
        maker = next(iter(level))
        if maker.user_id == taker.user_id and stp is not STP_NONE:
            if stp is not EXPIRE_TAKER:
                expire(state, market, maker, SELF_TRADE_PREVENTION)
            if stp is not EXPIRE_MAKER:
                expire(state, market, taker, SELF_TRADE_PREVENTION)
                return
            continue
        if maker.remaining < quantity:
            quantity = maker.remaining
        fill(state, market, taker, maker, is_buy, price, quantity)
