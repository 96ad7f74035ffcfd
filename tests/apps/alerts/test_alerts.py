from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.alerts.conditions import AlertRule, move_window, rule_met
from paperex.apps.alerts.evaluator import AlertMonitor
from paperex.apps.alerts.models import AlertTrigger, PriceAlert
from paperex.apps.alerts.services import alert_create, alert_trigger
from paperex.apps.markets.selectors import market_get
from tests.support.market_events import trade
from tests.support.waiting import async_wait_until


def rule(condition: str, **fields: Any) -> AlertRule:
    base: dict[str, Any] = {"price": None, "percent": None, "window_minutes": None}
    return AlertRule(
        alert_id=1, user_id=1, symbol="BTCUSDT", condition=condition, **{**base, **fields}
    )


@pytest.mark.parametrize(
    ("condition", "threshold", "price", "fires"),
    [
        ("ABOVE", "100", "100.01", True),
        ("ABOVE", "100", "100", False),
        ("BELOW", "100", "99.99", True),
        ("BELOW", "100", "100", False),
    ],
)
def test_price_thresholds(condition: str, threshold: str, price: str, fires: bool) -> None:
    message = rule_met(
        rule(condition, price=Decimal(threshold)), price=Decimal(price), now_ms=0, window=None
    )
    assert (message is not None) is fires


def test_move_within_minutes_uses_the_window_not_older_prices() -> None:
    window = move_window()
    move = rule("MOVE", percent=Decimal("2"), window_minutes=1)
    window.add(0, Decimal("100"))
    window.add(61_000, Decimal("101"))
    window.add(62_000, Decimal("102.5"))  # 2.5% above 100, but 100 is older than a minute
    assert rule_met(move, price=Decimal("102.5"), now_ms=62_000, window=window) is None
    window.add(63_000, Decimal("103.1"))  # 2.08% above 101 within the minute
    message = rule_met(move, price=Decimal("103.1"), now_ms=63_000, window=window)
    assert message is not None
    assert "rose 2.08%" in message
    window.add(64_000, Decimal("100.9"))  # 2.13% below 103.1
    fell = rule_met(move, price=Decimal("100.9"), now_ms=64_000, window=window)
    assert fell is not None
    assert "fell" in fell


@pytest.mark.django_db
def test_an_alert_triggers_once(trader: User) -> None:
    alert = alert_create(
        user_id=trader.pk,
        market=market_get(symbol="BTCUSDT"),
        condition="ABOVE",
        price=Decimal("1"),
    )
    now = datetime.now(UTC)
    first = alert_trigger(alert_id=alert.pk, price=Decimal("2"), message="m", at=now)
    second = alert_trigger(alert_id=alert.pk, price=Decimal("3"), message="m", at=now)
    assert first is not None
    assert second is None
    assert AlertTrigger.objects.count() == 1
    alert.refresh_from_db()
    assert alert.status == PriceAlert.Status.TRIGGERED


@pytest.mark.django_db
def test_alerts_api(api_client: APIClient, trader: User) -> None:
    api_client.force_authenticate(trader)
    created = api_client.post(
        "/api/alerts/",
        {"symbol": "ETHUSDT", "condition": "MOVE", "percent": "2", "window_minutes": 5},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["description"] == "moves 2% within 5 min"
    missing = api_client.post("/api/alerts/", {"symbol": "ETHUSDT", "condition": "ABOVE"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid"
    unknown = api_client.post(
        "/api/alerts/", {"symbol": "NOPE", "condition": "ABOVE", "price": "1"}
    )
    assert unknown.status_code == 404
    listed = api_client.get("/api/alerts/?status=ACTIVE").json()
    assert [item["id"] for item in listed["results"]] == [created.json()["id"]]
    assert api_client.delete(f"/api/alerts/{created.json()['id']}/").status_code == 204
    assert api_client.delete(f"/api/alerts/{created.json()['id']}/").status_code == 404
    assert api_client.get("/api/alerts/history/").json()["results"] == []
    assert APIClient().get("/api/alerts/").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_monitor_fires_from_a_trade_and_publishes_to_the_user_group(trader: User) -> None:
    alert = alert_create(
        user_id=trader.pk,
        market=market_get(symbol="BTCUSDT"),
        condition="ABOVE",
        price=Decimal("100"),
    )
    sent: list[tuple[str, dict[str, Any]]] = []

    class Monitor(AlertMonitor):
        @staticmethod
        async def _publish(user_id: int, payload: dict[str, Any]) -> None:
            sent.append((f"user.{user_id}", payload))

    monitor = Monitor(refresh_seconds=0)

    moments = itertools.count(2_000, 1_000)

    async def alerted() -> bool:  # trades above the price until the loaded alert fires
        at = next(moments)
        monitor.on_event(trade("100.5", time_ms=at, trade_id=at))
        return bool(sent)

    asyncio.run(async_wait_until(alerted, timeout=10, interval=0.05, what="the alert"))
    assert sent
    assert sent[0][0] == f"user.{trader.pk}"
    assert sent[0][1]["alert_id"] == alert.pk
    assert sent[0][1]["price"] == "100.5"
    assert AlertTrigger.objects.filter(alert=alert).count() == 1
