"""Evaluates price alerts against every market event this server process sees.

Runs as a market-data listener (``runtime.add_listener``) on the server's event loop: the event
handler only compares prices with rules kept in memory; reading the rules and recording a trigger
happen on a worker thread. The rules are re-read every ``refresh_seconds``. Several processes may
fire the same alert: ``alert_trigger`` lets one through, and only that one publishes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import close_old_connections

from paperex.apps.alerts.conditions import AlertRule, move_window, rule_met
from paperex.apps.alerts.selectors import active_alert_rules
from paperex.apps.alerts.services import alert_publish, alert_trigger, trigger_payload
from paperex.marketdata.aggregation import PriceWindow
from paperex.marketdata.events import Event, Kline, MiniTicker, Quote, Trade

logger = logging.getLogger(__name__)


def event_price(event: Event) -> Decimal | None:
    """The last price an event carries, if it carries one."""
    if isinstance(event, Trade | Quote):
        return event.price
    if isinstance(event, MiniTicker | Kline):
        return event.close
    return None


class AlertMonitor:
    def __init__(self, *, refresh_seconds: float = 1.0) -> None:
        self.refresh_seconds = refresh_seconds
        self.rules: dict[str, list[AlertRule]] = {}
        self.windows: dict[str, PriceWindow] = defaultdict(move_window)
        self.firing: set[int] = set()
        self._refreshed_at = 0.0
        self._refreshing = False
        self._tasks: set[asyncio.Future[Any]] = set()

    def on_event(self, event: Event) -> None:
        """Compare the event's price with the symbol's rules (called on the event loop)."""
        price = event_price(event)
        if price is None:
            return
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        if not self._refreshing and now - self._refreshed_at >= self.refresh_seconds:
            self._refreshing = True
            self._keep(loop.run_in_executor(None, self._load_rules), self._rules_loaded)
        window = self.windows[event.symbol]
        window.add(event.event_time, price)
        for rule in self.rules.get(event.symbol, ()):
            if rule.alert_id in self.firing:
                continue
            message = rule_met(rule, price=price, now_ms=event.event_time, window=window)
            if message is not None:
                self.firing.add(rule.alert_id)
                job = loop.run_in_executor(None, self._record, rule, price, message)
                self._keep(job, self._recorded)

    def _keep(self, future: asyncio.Future[Any], done: Any) -> None:
        self._tasks.add(future)
        future.add_done_callback(self._tasks.discard)
        future.add_done_callback(done)

    @staticmethod
    def _load_rules() -> dict[str, list[AlertRule]]:
        close_old_connections()
        try:
            rules: dict[str, list[AlertRule]] = defaultdict(list)
            for rule in active_alert_rules():
                rules[rule.symbol].append(rule)
            return dict(rules)
        finally:
            close_old_connections()

    def _rules_loaded(self, future: asyncio.Future[dict[str, list[AlertRule]]]) -> None:
        self._refreshing = False
        self._refreshed_at = time.monotonic()
        if future.cancelled() or future.exception() is not None:
            if not future.cancelled():
                logger.error("loading alerts failed", exc_info=future.exception())
            return
        self.rules = future.result()
        active = {rule.alert_id for rules in self.rules.values() for rule in rules}
        self.firing &= active  # forget alerts that are gone; keep the ones still being recorded

    @staticmethod
    def _record(rule: AlertRule, price: Decimal, message: str) -> dict[str, Any] | None:
        close_old_connections()
        try:
            trigger = alert_trigger(
                alert_id=rule.alert_id, price=price, message=message, at=datetime.now(UTC)
            )
            return (
                None
                if trigger is None
                else {"user_id": trigger.user_id, **trigger_payload(trigger)}
            )
        finally:
            close_old_connections()

    def _recorded(self, future: asyncio.Future[dict[str, Any] | None]) -> None:
        if future.cancelled():
            return
        if future.exception() is not None:
            logger.error("recording an alert failed", exc_info=future.exception())
            return
        payload = future.result()
        if payload is None:
            return  # another process fired it, or it was deleted
        user_id = payload.pop("user_id")
        task = asyncio.ensure_future(self._publish(user_id, payload))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _publish(user_id: int, payload: dict[str, Any]) -> None:
        await alert_publish(user_id, payload)


alert_monitor = AlertMonitor()
"""This process's alert evaluator."""
