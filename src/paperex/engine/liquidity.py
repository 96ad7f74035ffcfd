"""Read-only looks at the liquidity an order would meet: does it cross, and how much can fill."""

from __future__ import annotations

from collections.abc import Iterator

from paperex.domain.orders import SelfTradePrevention
from paperex.engine.book import Level, level_volume
from paperex.engine.constants import EXPIRE_MAKER, STP_NONE
from paperex.engine.market import EngineMarket


def crosses(market: EngineMarket, is_buy: bool, price: int) -> bool:
    """True when a limit order at ``price`` would trade at once (users' or reference book)."""
    best = best_opposite(market, is_buy)
    return best is not None and (best <= price if is_buy else best >= price)


def best_opposite(market: EngineMarket, is_buy: bool) -> int | None:
    """The best price an order of this side would meet, in the users' or the reference book;
    None when both are empty."""
    best = (market.asks if is_buy else market.bids).best_price()
    reference = market.reference
    if reference is None:
        return best
    reference_best = (reference.asks if is_buy else reference.bids).best_price()
    if best is None or reference_best is None:
        return reference_best if best is None else best
    return min(best, reference_best) if is_buy else max(best, reference_best)


def walk_liquidity(
    market: EngineMarket,
    user_id: int,
    is_buy: bool,
    limit: int,
    self_trade_prevention: SelfTradePrevention,
    max_quantity: int,
    max_quote: int | None,
) -> tuple[int, int]:
    """(quantity, quote cost) that matching an order would execute right now.

    Walks the opposite side best price first, users before the reference book at equal price,
    up to ``limit`` (0: no limit), ``max_quantity`` lots and, when given, ``max_quote`` quote
    units. Honours self-trade prevention the way matching does: EXPIRE_MAKER skips the user's
    own orders, EXPIRE_TAKER and EXPIRE_BOTH stop at the first one.
    """
    per_lot = market.quote_units_per_tick_lot
    book_levels: Iterator[tuple[int, Level]] = (
        market.asks if is_buy else market.bids
    ).levels_best_first()
    reference = market.reference
    reference_levels: Iterator[tuple[int, int]] = iter(())
    if reference is not None:
        reference_levels = (reference.asks if is_buy else reference.bids).levels_best_first()
    book_level = next(book_levels, None)
    reference_level = next(reference_levels, None)
    quantity = cost = 0
    while quantity < max_quantity:
        stopped = False
        if book_level is not None and (
            reference_level is None
            or (
                book_level[0] <= reference_level[0]
                if is_buy
                else book_level[0] >= reference_level[0]
            )
        ):
            price, level = book_level
            if self_trade_prevention is STP_NONE:
                available = level_volume(level)
            else:
                available, stopped = _available_to_others(
                    level, user_id, skip_own=self_trade_prevention is EXPIRE_MAKER
                )
            book_level = next(book_levels, None)
        elif reference_level is not None:
            price, available = reference_level
            reference_level = next(reference_levels, None)
        else:
            break
        if limit and (price > limit if is_buy else price < limit):
            break
        take = min(available, max_quantity - quantity)
        if max_quote is not None:
            affordable = (max_quote - cost) // (price * per_lot)
            if affordable < take:
                take = affordable
                stopped = True
        quantity += take
        cost += take * price * per_lot
        if stopped:
            break
    return quantity, cost


def _available_to_others(level: Level, user_id: int, *, skip_own: bool) -> tuple[int, bool]:
    available = 0
    for order in level:
        if order.user_id == user_id:
            if skip_own:
                continue
            return available, True
        available += order.remaining
    return available, False
