"""The order book of a market: the venue's (the feed's), the exchange's (the users' resting
orders), or both summed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F, Sum

from paperex.apps.core.amounts import format_amount
from paperex.apps.marketdata.selectors import order_book_get
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import OPEN_STATUSES, MarketSequence, Order
from paperex.domain import OrderType, Side

_STOP_LIMIT_TYPES = [kind.value for kind in OrderType if kind.is_stop and kind.has_limit_price]
"""Limit orders that rest in the book only once their stop has triggered."""


def exchange_book_get(*, market_id: int, depth: int) -> dict[str, list[list[str]]]:
    """The users' resting limit orders of a market, aggregated per price, best first."""
    levels = (
        Order.objects.filter(market_id=market_id, status__in=OPEN_STATUSES, price__isnull=False)
        .exclude(type__in=_STOP_LIMIT_TYPES, triggered=False)
        .values("side", "price")
        .annotate(remaining=Sum(F("quantity") - F("executed_quantity")))
    )
    bids: dict[Decimal, Decimal] = {}
    asks: dict[Decimal, Decimal] = {}
    for level in levels:
        side = bids if level["side"] == Side.BUY else asks
        side[level["price"]] = level["remaining"]
    return {
        "bids": _levels(sorted(bids.items(), reverse=True)[:depth]),
        "asks": _levels(sorted(asks.items())[:depth]),
    }


def exchange_book_sequence(*, market_id: int) -> int:
    """How many updates the market's exchange book has had (``market.book``'s ``sequence``)."""
    sequence = MarketSequence.objects.filter(market_id=market_id).values_list("book", flat=True)
    return next(iter(sequence), 0)


def exchange_book_at_sequence(*, market_id: int, depth: int) -> tuple[int, dict[str, Any]]:
    """``exchange_book_get`` and the book sequence it is at. The host writes both in one
    transaction; the levels are read between two reads of the sequence until they agree, as
    a read-committed database may show each query a later commit."""
    while True:
        sequence = exchange_book_sequence(market_id=market_id)
        book = exchange_book_get(market_id=market_id, depth=depth)
        if exchange_book_sequence(market_id=market_id) == sequence:
            return sequence, book


def _levels(levels: list[tuple[Decimal, Decimal]]) -> list[list[str]]:
    return [[format_amount(price), format_amount(quantity)] for price, quantity in levels]


def book_get(*, market: Market, depth: int, source: str) -> dict[str, Any]:
    """The book of ``market`` from ``source``: ``feed``, ``exchange`` or ``merged``."""
    feed = order_book_get(symbol=market.symbol, depth=depth)
    if source == "feed":
        return feed
    exchange = exchange_book_get(market_id=market.pk, depth=depth)
    if source == "exchange":
        return {"symbol": market.symbol, "source": "exchange", **exchange}
    return {
        **feed,
        "source": "merged",
        "bids": _merge(feed["bids"], exchange["bids"], descending=True)[:depth],
        "asks": _merge(feed["asks"], exchange["asks"], descending=False)[:depth],
    }


def _merge(*sides: list[list[str]], descending: bool) -> list[list[str]]:
    totals: dict[Decimal, Decimal] = {}
    for side in sides:
        for price, quantity in side:
            totals[Decimal(price)] = totals.get(Decimal(price), Decimal(0)) + Decimal(quantity)
    return [
        [format_amount(price), format_amount(quantity)]
        for price, quantity in sorted(totals.items(), reverse=descending)
    ]


def tradable_book_get(*, market: Market, depth: int) -> dict[str, Any]:
    """The book an order of ``market`` meets: the users' resting orders summed with the feed's
    book in a PAPER market, the users' alone in an EXCHANGE market."""
    source = "merged" if market.mode == Market.Mode.PAPER else "exchange"
    return book_get(market=market, depth=depth, source=source)


def tradable_book_with_update_id(*, market: Market, depth: int) -> dict[str, Any]:
    """``tradable_book_get`` with the update id of that book as Binance's streams count it: the
    feed book's update id (in a PAPER market) plus the exchange book's sequence, which grows
    by one with each update of either."""
    sequence, exchange = exchange_book_at_sequence(market_id=market.pk, depth=depth)
    if market.mode != Market.Mode.PAPER:
        return {"last_update_id": sequence, **exchange}
    feed = order_book_get(symbol=market.symbol, depth=depth)
    return {
        "last_update_id": feed["last_update_id"] + sequence,
        "bids": _merge(feed["bids"], exchange["bids"], descending=True)[:depth],
        "asks": _merge(feed["asks"], exchange["asks"], descending=False)[:depth],
    }
