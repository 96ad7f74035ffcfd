"""Stored candles as backtest bars, and the market's fee and filters for the execution."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.apps.markets.models import Candle, Market
from paperex.apps.research.candles import market_filters, stored_bars
from paperex.backtest.bars import BarsError
from tests.support.factories import MarketFactory

pytestmark = pytest.mark.django_db
MINUTE = 60_000


def store(market: Market, open_time: int, close: str, *, closed: bool = True) -> None:
    price = Decimal(close)
    Candle.objects.create(
        market=market,
        interval="1m",
        open_time=open_time,
        close_time=open_time + MINUTE - 1,
        open=price - 1,
        high=price + 2,
        low=price - 2,
        close=price,
        volume=Decimal("1.5"),
        quote_volume=price,
        trade_count=3,
        closed=closed,
    )


def test_the_closed_candles_of_the_range_in_time_order() -> None:
    market = MarketFactory()
    for minute, close in [(2, "102.5"), (0, "100"), (1, "101"), (3, "103")]:
        store(market, minute * MINUTE, close)
    store(market, 4 * MINUTE, "104", closed=False)
    bars = stored_bars("btcusdt", "1m", start_ms=MINUTE)
    assert bars.time.tolist() == [MINUTE, 2 * MINUTE, 3 * MINUTE]
    assert bars.close.tolist() == [101.0, 102.5, 103.0]
    assert bars.open.tolist() == [100.0, 101.5, 102.0]
    assert (bars.symbol, bars.interval) == ("BTCUSDT", "1m")
    assert stored_bars("BTCUSDT", "1m", end_ms=MINUTE).close.tolist() == [100.0]


@pytest.mark.parametrize(
    ("symbol", "interval", "message"),
    [
        ("BTCUSDT", "7m", "unknown interval '7m'"),
        ("DOGEUSDT", "1m", "no market DOGEUSDT"),
        ("BTCUSDT", "1h", "no stored 1h candles of BTCUSDT"),
    ],
)
def test_nothing_to_backtest_is_one_line(symbol: str, interval: str, message: str) -> None:
    MarketFactory()
    with pytest.raises(BarsError, match=message):
        stored_bars(symbol, interval)


def test_the_market_gives_its_taker_fee_and_filters() -> None:
    MarketFactory(taker_fee_rate=Decimal("0.00075"))
    assert market_filters("BTCUSDT") == {"fee": 0.00075, "step_size": 0.00001, "min_notional": 5.0}
