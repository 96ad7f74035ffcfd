from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from paperex.apps.markets.models import Asset, Market
from paperex.apps.markets.services import markets_seed

pytestmark = pytest.mark.django_db

CRYPTO = {"BTCUSDT", "ETHUSDT", "BNBUSDT", "MINAUSDT", "ATOMUSDT", "DOTUSDT"}
STOCKS = {"AAPL", "MSFT", "GOOGL", "AMZN", "TSLA"}


def test_seed_creates_every_market_once(seeded: None) -> None:
    markets_seed()
    assert set(Market.objects.values_list("symbol", flat=True)) == CRYPTO | STOCKS
    assert Asset.objects.count() == 13
    for market in Market.objects.select_related("quote"):
        assert market.quote.code == ("USD" if market.symbol in STOCKS else "USDT")
        assert market.tick_size > 0
        assert market.step_size > 0


def test_markets_list(api_client: APIClient, seeded: None) -> None:
    response = api_client.get("/api/markets/")
    assert response.status_code == 200
    by_symbol = {m["symbol"]: m for m in response.json()}
    assert set(by_symbol) == CRYPTO | STOCKS
    assert by_symbol["BTCUSDT"] == {
        "symbol": "BTCUSDT",
        "base": "BTC",
        "quote": "USDT",
        "kind": "crypto",
        "status": "TRADING",
        "tick_size": "0.01",
        "step_size": "0.00001",
        "min_notional": "5",
        "percent_price_by_side": {
            "bid_multiplier_up": "5",
            "bid_multiplier_down": "0.2",
            "ask_multiplier_up": "5",
            "ask_multiplier_down": "0.2",
        },
        "venue": "binance",
        "venue_symbol": "BTCUSDT",
        "mode": "PAPER",
        "maker_fee_rate": "0.001",
        "taker_fee_rate": "0.001",
    }


def test_markets_filter_by_kind_and_reject_an_unknown_kind(
    api_client: APIClient, seeded: None
) -> None:
    stocks = api_client.get("/api/markets/", {"kind": "stock"})
    assert {m["symbol"] for m in stocks.json()} == STOCKS
    bad = api_client.get("/api/markets/", {"kind": "bonds"})
    assert bad.status_code == 400
    assert bad.json()["message"].startswith("kind: ")


def test_market_detail_is_case_insensitive(api_client: APIClient, seeded: None) -> None:
    response = api_client.get("/api/markets/ethusdt/")
    assert response.status_code == 200
    assert response.json()["symbol"] == "ETHUSDT"
    assert Decimal(response.json()["step_size"]) == Decimal("0.0001")


def test_unknown_market_is_a_404_with_a_message(api_client: APIClient, seeded: None) -> None:
    response = api_client.get("/api/markets/DOGEUSDT/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Unknown market 'DOGEUSDT'."}


def test_assets_list(api_client: APIClient, seeded: None) -> None:
    response = api_client.get("/api/assets/")
    assert response.status_code == 200
    kinds = {a["code"]: a["kind"] for a in response.json()}
    assert kinds["USD"] == "fiat"
    assert kinds["AAPL"] == "stock"
    assert kinds["BTC"] == "crypto"


def test_a_markets_own_band_multipliers_override_the_setting(
    api_client: APIClient, seeded: None, settings: Any
) -> None:
    settings.PAPEREX_PERCENT_PRICE_BY_SIDE = {
        "bid_multiplier_up": "1.5",
        "bid_multiplier_down": "0.5",
        "ask_multiplier_up": "2",
        "ask_multiplier_down": "0.8",
    }
    Market.objects.filter(symbol="BTCUSDT").update(
        percent_price_bid_multiplier_up=Decimal("1.2"),
        percent_price_ask_multiplier_down=Decimal("0.9"),
    )
    band = api_client.get("/api/markets/BTCUSDT/").json()["percent_price_by_side"]
    assert band == {
        "bid_multiplier_up": "1.2",
        "bid_multiplier_down": "0.5",
        "ask_multiplier_up": "2",
        "ask_multiplier_down": "0.9",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("percent_price_bid_multiplier_up", "0.9"),
        ("percent_price_ask_multiplier_up", "0.99"),
        ("percent_price_bid_multiplier_down", "1.1"),
        ("percent_price_ask_multiplier_down", "-0.1"),
    ],
)
def test_a_band_that_would_not_hold_the_reference_price_cannot_be_stored(
    seeded: None, field: str, value: str
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Market.objects.filter(symbol="BTCUSDT").update(**{field: Decimal(value)})
