from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.equity.models import EquitySnapshot
from paperex.apps.equity.services import equity_snapshots_record
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Asset
from paperex.apps.trading.models import Balance
from paperex.marketdata.live_view import LiveMarketView
from tests.support.market_events import trade

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_market_state() -> Iterator[LiveMarketView]:
    saved, runtime.state = runtime.state, LiveMarketView()
    yield runtime.state
    runtime.state = saved


def feed_trade(state: LiveMarketView, symbol: str, price: str) -> None:
    state.apply(trade(price, symbol=symbol))


def hold(user: User, asset: str, *, free: str, locked: str = "0") -> None:
    Balance.objects.create(
        user=user, asset=Asset.objects.get(code=asset), free=Decimal(free), locked=Decimal(locked)
    )


def recorded(user: User) -> list[Decimal]:
    return list(EquitySnapshot.objects.filter(user=user).values_list("equity", flat=True))


def test_equity_is_cash_at_par_plus_holdings_at_the_feed_price(
    trader: User, fresh_market_state: LiveMarketView
) -> None:
    hold(trader, "BTC", free="0.5", locked="0.25")
    feed_trade(fresh_market_state, "BTCUSDT", "60000.10")

    assert equity_snapshots_record() == 1

    # 100,000 USDT + 100,000 USD + 0.75 BTC x 60,000.10
    assert recorded(trader) == [Decimal("245000.075")]


def test_a_user_holding_something_without_a_price_is_left_out(
    trader: User, fresh_market_state: LiveMarketView
) -> None:
    bob = user_register(username="bob", password="correct-horse-battery")
    hold(bob, "ETH", free="1")
    hold(trader, "ETH", free="0")

    assert equity_snapshots_record() == 1
    assert recorded(trader) == [Decimal(200000)]
    assert recorded(bob) == []

    feed_trade(fresh_market_state, "ETHUSDT", "3000")
    equity_snapshots_record(user_ids=[bob.pk])
    assert recorded(bob) == [Decimal(203000)]
    assert len(recorded(trader)) == 1


def test_the_snapshots_run_once_a_minute_with_the_feeds() -> None:
    [job] = [job for job in runtime.periodic_jobs if job.name == "equity-snapshots"]
    assert job.function is equity_snapshots_record
    assert job.seconds == 60
