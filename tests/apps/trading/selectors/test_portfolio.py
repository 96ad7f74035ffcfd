from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.marketdata.runtime import runtime
from paperex.marketdata.events import Ticker24h
from tests.support.ledger import fund
from tests.support.trading import place

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")


@pytest.fixture
def aapl_ticker() -> Iterator[None]:
    d = Decimal
    runtime.state.apply(
        Ticker24h(
            venue="yahoo",
            symbol="AAPL",
            event_time=1,
            received_at=1,
            price_change=d("5"),
            price_change_percent=d("2.5"),
            weighted_average_price=d(198),
            last_price=d(205),
            last_quantity=d(1),
            best_bid=d(204),
            best_bid_quantity=d(1),
            best_ask=d(206),
            best_ask_quantity=d(1),
            open=d(200),
            high=d(210),
            low=d(195),
            volume=d(1000),
            quote_volume=d(200000),
            open_time=0,
            close_time=1,
            trade_count=10,
        )
    )
    yield
    runtime.state.symbols.pop("AAPL", None)


def test_portfolio_average_price_and_pnl_by_hand(make_trader: Trader, aapl_ticker: None) -> None:
    # AAPL trades without fees, so the figures are exact by hand.
    _, alice = make_trader("alice")
    bob_user, bob = make_trader("bob")
    fund(bob_user, "AAPL", Decimal(10))
    place(bob, symbol="AAPL", side="SELL", price="150", quantity="4")
    place(alice, symbol="AAPL", side="BUY", type="MARKET", quantity="4")  # cost 600
    place(bob, symbol="AAPL", side="SELL", price="180", quantity="2")
    place(alice, symbol="AAPL", side="BUY", price="180", quantity="2")  # cost 360 -> avg 160
    place(bob, symbol="AAPL", side="BUY", price="200", quantity="3")
    place(alice, symbol="AAPL", side="SELL", price="200", quantity="3")  # realizes 3*(200-160)

    [position] = alice.get("/api/portfolio/").json()
    assert position == {
        "symbol": "AAPL",
        "asset": "AAPL",
        "quote_asset": "USD",
        "quantity": "3",
        "average_price": "160",
        "last_price": "200",  # the exchange's last trade (the feed has no trade for AAPL)
        "market_value": "600",
        "realized_pnl": "120",
        "unrealized_pnl": "120",
        "percent_change": "2.5",
        "equity_change": "15",  # 3 shares x the ticker's +5
    }
