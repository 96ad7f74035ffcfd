"""Reads of orders, fills and the exchange book, on rows made without an engine."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.apps.trading.selectors.exchange_book import exchange_book_get
from paperex.apps.trading.selectors.fills import fill_list
from paperex.apps.trading.selectors.orders import order_list
from tests.support.factories import FillFactory, MarketFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_exchange_book_sums_resting_orders_per_price_best_first() -> None:
    market = MarketFactory()
    OrderFactory(market=market, side="BUY", price=Decimal(99), quantity=Decimal(2))
    OrderFactory(market=market, side="BUY", price=Decimal(99), quantity=Decimal("0.5"))
    OrderFactory(market=market, side="BUY", price=Decimal(98), quantity=Decimal(1))
    OrderFactory(
        market=market,
        side="SELL",
        price=Decimal(101),
        quantity=Decimal(3),
        executed_quantity=Decimal(1),
        status="PARTIALLY_FILLED",
    )
    # Neither a closed order nor a stop-limit whose stop has not triggered rests in the book.
    OrderFactory(market=market, side="SELL", price=Decimal(100), status="CANCELED")
    OrderFactory(
        market=market, side="SELL", price=Decimal(100), type="STOP_LOSS_LIMIT", triggered=False
    )
    OrderFactory(
        market=market, side="SELL", price=Decimal(102), type="TAKE_PROFIT_LIMIT", triggered=True
    )
    assert exchange_book_get(market_id=market.pk, depth=10) == {
        "bids": [["99", "2.5"], ["98", "1"]],
        "asks": [["101", "2"], ["102", "1"]],
    }
    assert exchange_book_get(market_id=market.pk, depth=1) == {
        "bids": [["99", "2.5"]],
        "asks": [["101", "2"]],
    }


def test_order_list_is_the_users_own_filtered_and_ordered() -> None:
    alice, bob = UserFactory(), UserFactory()
    cheap = OrderFactory(user=alice, price=Decimal(10))
    dear = OrderFactory(user=alice, price=Decimal(30), side="SELL")
    OrderFactory(user=bob)
    assert list(order_list(user_id=alice.pk, ordering="price")) == [cheap, dear]
    assert list(order_list(user_id=alice.pk, ordering="-price")) == [dear, cheap]
    assert list(order_list(user_id=alice.pk, side="SELL")) == [dear]
    assert list(order_list(user_id=alice.pk, symbol="btcusdt", ordering="id")) == [cheap, dear]


def test_fill_list_is_the_users_own_newest_first() -> None:
    first = FillFactory()
    second = FillFactory(order__user=first.user)
    FillFactory()
    assert list(fill_list(user_id=first.user_id)) == [second, first]
    assert list(fill_list(user_id=first.user_id, order_id=first.order_id)) == [first]
