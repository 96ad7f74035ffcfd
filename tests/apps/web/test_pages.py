from __future__ import annotations

import re

import pytest
from django.test import Client

from paperex.apps.accounts.models import User
from paperex.apps.markets.models import Market
from paperex.domain.orders import OrderType


@pytest.fixture
def bundle_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("paperex.apps.web.views.bundle_missing", lambda: ["web/app.js"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/web/", "/web/markets/", "/web/monitor/", "/web/streams/candles/", "/web/streams/trades/"],
)
def test_public_pages_render(seeded: None, path: str) -> None:
    assert Client().get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/web/trade/BTCUSDT/", "/web/journal/", "/web/backtest/", "/web/bots/", "/web/keys/"]
)
def test_account_pages_need_a_login(seeded: None, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_journal_page_is_in_the_menu_and_tells_the_day_analysis_who_is_staff(
    trader: User,
) -> None:
    client = Client()
    client.force_login(trader)
    page = client.get("/web/journal/").content.decode()
    assert '<a href="/web/journal/">Journal</a>' in page
    assert '"page": "journal"' in page
    assert '<a id="journal-csv" class="button secondary" href="/api/trades/export.csv"' in page
    analysis = re.search(r'<section id="journal-analysis".*?</section>', page, re.DOTALL)
    assert analysis is not None
    assert "Day analysis" in analysis[0]
    assert '<input type="date" id="analysis-date"' in analysis[0]
    assert '"staff": false' in page
    trader.is_staff = True
    trader.save(update_fields=["is_staff"])
    assert '"staff": true' in client.get("/web/journal/").content.decode()


@pytest.mark.django_db
def test_the_backtest_page_is_in_the_menu_with_the_markets_and_the_strategies(
    seeded: None, trader: User
) -> None:
    client = Client()
    client.force_login(trader)
    response = client.get("/web/backtest/")
    page = response.content.decode()
    assert '<a href="/web/backtest/">Backtest</a>' in page
    data = response.context["page_data"]
    assert data["page"] == "backtest"
    assert "BTCUSDT" in data["symbols"]
    assert data["intervals"][:2] == ["1s", "1m"]
    strategies = {strategy["name"]: strategy["parameters"] for strategy in data["strategies"]}
    assert strategies["sma_cross"] == [
        {"name": "fast", "default": 50, "integer": True},
        {"name": "slow", "default": 200, "integer": True},
    ]
    assert strategies["rsi_reversion"][1] == {"name": "lower", "default": 30.0, "integer": False}
    assert strategies["buy_and_hold"] == []


@pytest.mark.django_db
def test_trade_page_knows_the_market_and_404s_unknown_ones(trader: User) -> None:
    client = Client()
    client.force_login(trader)
    page = client.get("/web/trade/btcusdt/").content.decode()
    assert '"tick_size": "0.01"' in page
    assert '"symbol": "BTCUSDT"' in page
    assert client.get("/web/trade/NOPE/").status_code == 404


@pytest.mark.django_db
def test_the_order_form_offers_every_order_type_of_the_engine(trader: User) -> None:
    client = Client()
    client.force_login(trader)
    page = client.get("/web/trade/BTCUSDT/").content.decode()
    select = re.search(r'<select id="order-type".*?</select>', page, re.DOTALL)
    assert select is not None
    assert sorted(re.findall(r'<option value="(\w+)"', select[0])) == sorted(OrderType)


@pytest.mark.django_db
def test_a_missing_bundle_is_explained(seeded: None, bundle_missing: None) -> None:
    page = Client().get("/web/markets/").content.decode()
    assert "is not built" in page
    assert "npm ci &amp;&amp; npm run build" in page
    assert "web/app.js" in page
    assert '<script type="module" src="/static/web/app.js">' not in page


@pytest.mark.django_db
def test_sign_up_creates_an_account_with_balances(seeded: None) -> None:
    client = Client()
    response = client.post(
        "/web/signup/",
        {
            "username": "newbie",
            "password": "a-long-passphrase",
            "password_again": "a-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newbie").balances.exists()  # type: ignore[attr-defined]
    mismatch = client.post(
        "/web/signup/",
        {"username": "other", "password": "a-long-passphrase", "password_again": "x"},
    )
    assert "The passwords differ." in mismatch.content.decode()


@pytest.mark.django_db
def test_the_listings_page_is_in_the_menu_with_the_venues_to_check(trader: User) -> None:
    client = Client()
    client.force_login(trader)
    page = client.get("/web/listings/").content.decode()
    assert '<a href="/web/listings/">Listings</a>' in page
    assert '"venues": ["synthetic"]' in page
    assert "Check for new listings" in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/web/bots/", "/web/keys/"])
def test_the_bots_and_keys_pages_answer_a_trader(seeded: None, trader: User, path: str) -> None:
    client = Client()
    client.force_login(trader)
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_the_bots_page_is_in_the_menu_with_trading_markets_bot_intervals_and_strategies(
    seeded: None, trader: User
) -> None:
    client = Client()
    client.force_login(trader)
    response = client.get("/web/bots/")
    page = response.content.decode()
    assert '<a href="/web/bots/">Bots</a>' in page
    data = response.context["page_data"]
    assert data["page"] == "bots"
    assert "BTCUSDT" in data["symbols"]
    assert data["intervals"] == ["1m", "5m", "15m", "1h", "4h", "1d"]
    assert [strategy["name"] for strategy in data["strategies"]][:1] == ["sma_cross"]
    assert '<input id="bot-allocation" name="allocation"' in page
    assert '<p id="bot-allocation-error" class="field-error">' in page


@pytest.mark.django_db
def test_a_halted_market_is_not_offered_to_a_bot(seeded: None, trader: User) -> None:
    Market.objects.filter(symbol="ETHUSDT").update(status=Market.Status.HALT)
    client = Client()
    client.force_login(trader)
    symbols = client.get("/web/bots/").context["page_data"]["symbols"]
    assert "ETHUSDT" not in symbols
    assert "BTCUSDT" in symbols


@pytest.mark.django_db
def test_the_keys_page_is_in_the_menu_with_its_form(trader: User) -> None:
    client = Client()
    client.force_login(trader)
    page = client.get("/web/keys/").content.decode()
    assert '<a href="/web/keys/">API keys</a>' in page
    assert '"page": "keys"' in page
    assert '<textarea id="key-public-key" name="public_key"' in page
    assert "Create key" in page
