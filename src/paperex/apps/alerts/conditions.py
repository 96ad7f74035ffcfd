"""Pure alert conditions: whether a price (and the recent prices) meet an alert. No Django."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperex.apps.core.amounts import format_amount
from paperex.marketdata.aggregation import PriceWindow

ONE_MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class AlertRule:
    """An active alert as the evaluator keeps it in memory."""

    alert_id: int
    user_id: int
    symbol: str
    condition: str
    price: Decimal | None
    percent: Decimal | None
    window_minutes: int | None


def describe(
    *, condition: str, price: Decimal | None, percent: Decimal | None, window_minutes: int | None
) -> str:
    """A short human description: "above 65000", "moves 2% within 5 min"."""
    if condition == "ABOVE":
        return f"above {_plain(price)}"
    if condition == "BELOW":
        return f"below {_plain(price)}"
    return f"moves {_plain(percent)}% within {window_minutes} min"


def _plain(value: Decimal | None) -> str:
    return "?" if value is None else format_amount(value)


def move_window() -> PriceWindow:
    """The recent prices "moves N% within M minutes" looks at: a sample per second, an hour."""
    return PriceWindow(60 * ONE_MINUTE_MS, resolution_ms=1_000)


def rule_met(
    rule: AlertRule, *, price: Decimal, now_ms: int, window: PriceWindow | None
) -> str | None:
    """The alert's message when ``price`` meets the rule, else None."""
    if rule.condition == "ABOVE" and rule.price is not None and price > rule.price:
        return f"{rule.symbol} rose above {_plain(rule.price)}: {_plain(price)}"
    if rule.condition == "BELOW" and rule.price is not None and price < rule.price:
        return f"{rule.symbol} fell below {_plain(rule.price)}: {_plain(price)}"
    if rule.condition == "MOVE" and rule.percent is not None and rule.window_minutes and window:
        extremes = window.extremes(since_ms=now_ms - rule.window_minutes * ONE_MINUTE_MS)
        if extremes is None:
            return None
        low, high = extremes
        threshold = rule.percent / Decimal(100)
        if low > 0 and (price - low) / low >= threshold:
            change = (price - low) / low * 100
            within = f"within {rule.window_minutes} min"
            return f"{rule.symbol} rose {change:.2f}% {within}: {_plain(price)}"
        if high > 0 and (high - price) / high >= threshold:
            change = (high - price) / high * 100
            within = f"within {rule.window_minutes} min"
            return f"{rule.symbol} fell {change:.2f}% {within}: {_plain(price)}"
    return None
