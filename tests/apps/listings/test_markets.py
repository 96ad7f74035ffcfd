"""The admin setting PAPEREX_LISTINGS_ADD_MARKETS: a symbol found newly listed becomes a paper
market with the venue's rules, which the engine and the feeds load at their next start."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from django.test import override_settings

from paperex.apps.accounts.models import User
from paperex.apps.listings.models import NewListing
from paperex.apps.listings.services import listings_check, listings_check_everyone
from paperex.apps.marketdata.feeds import trading_instruments
from paperex.apps.marketdata.history import synthetic_history_store
from paperex.apps.markets.models import Candle, Market
from paperex.apps.trading.catalog import catalog_read
from tests.apps.listings.conftest import FakeVenue

pytestmark = pytest.mark.django_db
add_markets = override_settings(PAPEREX_LISTINGS_ADD_MARKETS=True)


def check_everyone() -> None:
    asyncio.run(listings_check_everyone(["synthetic"]))


@add_markets
def test_a_new_listing_becomes_a_paper_market_with_the_venues_rules(
    trader: User, venue: FakeVenue
) -> None:
    check_everyone()  # the first check: the snapshot, nothing new
    venue.prices["NEWUSDT"] = "0.5"
    check_everyone()
    market = Market.objects.select_related("base", "quote").get(symbol="NEWUSDT")
    assert (market.base.code, market.base.decimals, market.quote.code) == ("NEW", 8, "USDT")
    assert (market.tick_size, market.step_size, market.min_notional) == (
        Decimal("0.00001"),
        Decimal(1),
        Decimal(5),
    )
    assert (market.venue, market.mode, market.status, market.kind) == (
        "synthetic",
        "PAPER",
        "TRADING",
        "crypto",
    )
    assert market.taker_fee_rate == market.maker_fee_rate == Decimal("0.001")
    first_seen = NewListing.objects.get(symbol="NEWUSDT").first_seen_at
    (candle,) = Candle.objects.filter(market=market)
    assert candle.open_time == int(first_seen.timestamp()) // 60 * 60_000
    assert (candle.interval, candle.close, candle.volume) == ("1m", Decimal("0.5"), 0)
    check_everyone()
    assert Market.objects.filter(symbol="NEWUSDT").count() == 1
    assert "NEWUSDT" in catalog_read().markets  # what the engine loads when it starts


@add_markets
def test_the_feed_of_a_listed_market_starts_at_its_listed_price(
    trader: User, venue: FakeVenue
) -> None:
    listings_check(user_id=trader.pk, venue="synthetic")
    venue.prices["NEWUSDT"] = "0.5"
    listings_check(user_id=trader.pk, venue="synthetic")  # a user's own check adds it too
    (instrument,) = trading_instruments(["NEWUSDT"])
    first_seen = NewListing.objects.get(symbol="NEWUSDT").first_seen_at
    now_ms = int(first_seen.timestamp() * 1000) + 120_000
    history = synthetic_history_store([instrument], now_ms=now_ms)
    assert Decimal("0.45") < history.profiles["NEWUSDT"].start_price < Decimal("0.55")


def test_no_market_is_added_unless_the_setting_says_so(trader: User, venue: FakeVenue) -> None:
    check_everyone()
    venue.prices["NEWUSDT"] = "0.5"
    check_everyone()
    assert NewListing.objects.filter(symbol="NEWUSDT").exists()
    assert not Market.objects.filter(symbol="NEWUSDT").exists()


@add_markets
def test_a_listing_that_is_a_market_already_is_left_as_it_is(
    trader: User, venue: FakeVenue, caplog: pytest.LogCaptureFixture
) -> None:
    venue.prices.pop("BTCUSDT")
    check_everyone()
    venue.prices["BTCUSDT"] = "61000.12345"  # new to the user, a market here already
    venue.rules_down = True  # asking the venue for rules would fail
    check_everyone()
    assert Market.objects.get(symbol="BTCUSDT").tick_size == Decimal("0.01")
    assert "not added" not in caplog.text  # the venue was not asked


@add_markets
def test_a_venue_that_gives_no_rules_adds_no_market_and_keeps_the_listing(
    trader: User, venue: FakeVenue, caplog: pytest.LogCaptureFixture
) -> None:
    check_everyone()
    venue.prices["NEWUSDT"] = "0.5"
    venue.rules_down = True
    check_everyone()
    assert NewListing.objects.filter(symbol="NEWUSDT").exists()
    assert not Market.objects.filter(symbol="NEWUSDT").exists()
    assert "new listings not added as markets: synthetic did not give its trading" in caplog.text
