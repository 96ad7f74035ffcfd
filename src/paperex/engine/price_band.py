"""PERCENT_PRICE_BY_SIDE: the prices an order may have around the reference price, and the
worst price a taker may trade at.

The reference price is the last trade price: of the reference market in a paper market (so the
users' own trades cannot move the band) and of the users in an exchange market. That is
Binance's rule with ``avgPriceMins`` 0, and it keeps the engine a function of its commands.
Without a band, or before the first reference price, prices are not bounded. The band guards
the order that takes; a resting order fills at its own price, which it was placed with.
"""

from __future__ import annotations

from paperex.engine.market import EngineMarket


def reference_price(market: EngineMarket) -> int | None:
    """The price in ticks the band and a MARKET order's notional are measured against, or None
    before there is one."""
    return market.last_reference_price if market.reference is not None else market.last_price


def price_range(market: EngineMarket, is_buy: bool) -> tuple[int, int] | None:
    """(lowest, highest) price in ticks an order of this side may have now, or None when the
    market has no band or no reference price yet."""
    band = market.bid_band if is_buy else market.ask_band
    reference = reference_price(market)
    if band is None or reference is None:
        return None
    (down_numerator, down_denominator), (up_numerator, up_denominator) = band
    lowest = -(-reference * down_numerator // down_denominator)
    return lowest, reference * up_numerator // up_denominator


def in_price_band(market: EngineMarket, is_buy: bool, price: int) -> bool:
    """True when an order of this side may have ``price`` (always, without a band)."""
    bounds = price_range(market, is_buy)
    return bounds is None or bounds[0] <= price <= bounds[1]


def taker_limit(market: EngineMarket, is_buy: bool, price: int) -> int:
    """The worst price a taker of this side may trade at now (0: any): its own limit ``price``
    (0 for none), or the band's far edge (a buy's highest, a sell's lowest price) if nearer."""
    bounds = price_range(market, is_buy)
    if bounds is None:
        return price
    if is_buy:
        return min(price, bounds[1]) if price else bounds[1]
    return max(price, bounds[0])
