"""The analysis the slow, obvious way: Python's csv module, Decimal arithmetic, and FIFO by
matching lots one by one. The property tests hold the fast implementation to it."""

from __future__ import annotations

import csv
import io
from collections import deque
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Any

EXACT = Context(prec=200)


def reference_rows(text: str) -> dict[str, dict[str, Any]]:
    """ticker -> figures (and "TOTAL" -> the sums), every decimal a Decimal."""
    trades = list(csv.DictReader(io.StringIO(text)))
    for trade in trades:
        trade["time"] = datetime.fromisoformat(trade["timestamp"].replace("Z", "+00:00"))
    trades.sort(key=lambda trade: (trade["time"], int(trade["id"])))
    with localcontext(EXACT):
        tickers = sorted({trade["ticker"] for trade in trades})
        rows = {ticker: _ticker([t for t in trades if t["ticker"] == ticker]) for ticker in tickers}
        rows["TOTAL"] = _total(list(rows.values()))
    return rows


def _ticker(trades: list[dict[str, Any]]) -> dict[str, Any]:
    prices = [Decimal(t["price"]) for t in trades]
    quantities = [Decimal(t["quantity"]) for t in trades]
    buys = [
        (p, q) for t, p, q in zip(trades, prices, quantities, strict=True) if t["side"] == "BUY"
    ]
    sells = [
        (p, q) for t, p, q in zip(trades, prices, quantities, strict=True) if t["side"] == "SELL"
    ]
    notional = sum((p * q for p, q in zip(prices, quantities, strict=True)), Decimal(0))
    volume = sum(quantities, Decimal(0))
    fees: dict[str, Decimal] = {}
    for trade in trades:
        if trade["fee"]:
            asset = trade["fee_asset"]
            fees[asset] = fees.get(asset, Decimal(0)) + Decimal(trade["fee"])
    return {
        "trades": len(trades),
        "buy_quantity": sum((q for _, q in buys), Decimal(0)),
        "sell_quantity": sum((q for _, q in sells), Decimal(0)),
        "volume": volume,
        "notional": notional,
        "vwap": (notional / volume).quantize(Decimal("1e-12"), rounding=ROUND_HALF_EVEN),
        "high": max(prices),
        "low": min(prices),
        "first_trade": trades[0]["time"],
        "last_trade": trades[-1]["time"],
        "fees": dict(sorted(fees.items())),
        "realized_pnl": _fifo_pnl(buys, sells),
    }


def _fifo_pnl(buys: list[tuple[Decimal, Decimal]], sells: list[tuple[Decimal, Decimal]]) -> Decimal:
    """The k-th unit bought matched with the k-th unit sold, lot by lot."""
    bought, sold = deque(buys), deque(sells)
    pnl = Decimal(0)
    while bought and sold:
        (buy_price, buy_left), (sell_price, sell_left) = bought[0], sold[0]
        matched = min(buy_left, sell_left)
        pnl += matched * (sell_price - buy_price)
        bought[0], sold[0] = (buy_price, buy_left - matched), (sell_price, sell_left - matched)
        if bought[0][1] == 0:
            bought.popleft()
        if sold[0][1] == 0:
            sold.popleft()
    return pnl


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    fees: dict[str, Decimal] = {}
    for row in rows:
        for asset, fee in row["fees"].items():
            fees[asset] = fees.get(asset, Decimal(0)) + fee
    summed = ("buy_quantity", "sell_quantity", "volume", "notional", "realized_pnl")
    return {
        "trades": sum(row["trades"] for row in rows),
        **{name: sum((row[name] for row in rows), Decimal(0)) for name in summed},
        "vwap": None,
        "high": None,
        "low": None,
        "first_trade": min((row["first_trade"] for row in rows), default=None),
        "last_trade": max((row["last_trade"] for row in rows), default=None),
        "fees": dict(sorted(fees.items())),
    }
