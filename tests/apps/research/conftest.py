"""Bars to backtest on (stored candles, CSV files), clients of users, and waiting for a run."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.markets.models import Candle, Market
from paperex.config.celery import app
from tests.support.waiting import wait_until

MINUTE = 60_000
START = 1_704_067_200_000
"""2024-01-01 00:00 UTC."""
STORED_CANDLES = 150


def wavy_closes(count: int) -> list[float]:
    """Prices that swing round a slow rise: averages of a few bars cross often."""
    return [round(100 + 10 * math.sin(2 * math.pi * i / 60) + 0.02 * i, 4) for i in range(count)]


def store_candles(symbol: str = "BTCUSDT", count: int = STORED_CANDLES) -> list[float]:
    """``count`` closed 1m candles of the market from START; their closes."""
    market = Market.objects.get(symbol=symbol)
    closes = wavy_closes(count)
    Candle.objects.bulk_create(
        Candle(
            market=market,
            interval="1m",
            open_time=START + i * MINUTE,
            close_time=START + (i + 1) * MINUTE - 1,
            open=Decimal(str(close)) - 1,
            high=Decimal(str(close)) + 2,
            low=Decimal(str(close)) - 2,
            close=Decimal(str(close)),
            volume=Decimal("1"),
            quote_volume=Decimal(str(close)),
            trade_count=1,
            closed=True,
        )
        for i, close in enumerate(closes)
    )
    return closes


def csv_of(count: int) -> bytes:
    """A CSV file of ``count`` daily bars (time and close only)."""
    day = 86_400_000
    rows = [f"{START + i * day},{close}" for i, close in enumerate(wavy_closes(count))]
    return "\n".join(["time,close", *rows, ""]).encode()


def client_of(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def finished(client: APIClient, url: str) -> dict[str, Any]:
    """The backtest at ``url`` once it is done or failed (within a deadline)."""

    def ended() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(url).json()
        return body if body["status"] in {"done", "failed"} else None

    body = wait_until(ended, timeout=30, what=f"{url} to finish")
    assert body is not None
    return body


@pytest.fixture
def candles(seeded: None) -> list[float]:
    """STORED_CANDLES 1m candles of BTCUSDT."""
    return store_candles()


@pytest.fixture(autouse=True)
def jobs_run_where_a_worker_would(monkeypatch: pytest.MonkeyPatch) -> None:
    """With Redis configured (CI's second pass) a backtest goes to Celery, and no worker runs
    here: Celery then runs each task at once in this process, as a worker would."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
