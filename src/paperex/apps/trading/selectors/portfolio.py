"""Positions with average cost and P&L, from the user's fills and the markets' last prices.

Cost basis is the weighted average cost: a buy adds its quote amount to the cost and what it
received (quantity minus a base fee) to the position; a sell realizes ``proceeds - fee - average
cost * quantity``. Only fills since the account's last funding (registration or reset) count.
``percent_change`` is the market's 24h ticker change (Binance's rolling 24 hours, not midnight
UTC) and ``equity_change`` is that change applied to the position held now. The market view
socket recomputes a position's figures on every candle with ``updated_position``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from paperex.apps.core.amounts import amount_or_none, format_amount
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import Balance, Fill, LedgerEntry, Trade
from paperex.marketdata.events import Ticker24h

ZERO = Decimal(0)
AVERAGE_PRICE_QUANTUM = Decimal(10) ** -12


@dataclass
class Position:
    """A running average-cost position."""

    quantity: Decimal = ZERO
    cost: Decimal = ZERO
    realized: Decimal = ZERO

    def apply(self, fill: Fill, base_code: str) -> None:
        """Fold one fill (oldest first) into the position."""
        fee_in_base = fill.fee if fill.fee_asset.code == base_code else ZERO
        if fill.side == "BUY":
            self.quantity += fill.quantity - fee_in_base
            self.cost += fill.quote_quantity
            return
        average = self.cost / self.quantity if self.quantity else ZERO
        sold = min(fill.quantity, self.quantity)
        proceeds = fill.quote_quantity - (fill.fee if not fee_in_base else ZERO)
        self.realized += proceeds - average * sold
        self.cost -= average * sold
        self.quantity -= sold

    @property
    def average_price(self) -> Decimal | None:
        return self.cost / self.quantity if self.quantity else None


def portfolio_get(*, user_id: int) -> list[dict[str, Any]]:
    """One entry per market whose base asset the user holds or traded since the last funding."""
    since = (
        LedgerEntry.objects.filter(to_user_id=user_id, reason="DEPOSIT")
        .order_by("-id")
        .values_list("recorded_at", flat=True)
        .first()
    )
    fills = Fill.objects.filter(user_id=user_id).select_related("fee_asset").order_by("id")
    if since is not None:
        fills = fills.filter(executed_at__gte=since)
    held = {
        balance.asset_id: balance.free + balance.locked
        for balance in Balance.objects.filter(user_id=user_id)
    }
    positions: dict[int, Position] = {}
    markets = {m.pk: m for m in Market.objects.select_related("base", "quote")}
    for fill in fills:
        positions.setdefault(fill.market_id, Position()).apply(
            fill, markets[fill.market_id].base.code
        )
    result = []
    for market in sorted(markets.values(), key=lambda m: m.symbol):
        position = positions.get(market.pk)
        quantity = held.get(market.base_id, ZERO)
        if position is None and not quantity:
            continue
        position = position or Position()
        result.append(_position_entry(market, position, quantity))
    return result


def market_last_price(market: Market) -> Decimal | None:
    """The feed's last price of ``market``, else the exchange's last trade price, else None."""
    state = runtime.state.symbols.get(market.symbol)  # no insert: callers may be off the loop
    last_price = None if state is None else state.last_price
    if last_price is None:
        last_price = (
            Trade.objects.filter(market=market).order_by("-id").values_list("price", flat=True)
        ).first()
    return last_price


def _position_entry(market: Market, position: Position, quantity: Decimal) -> dict[str, Any]:
    state = runtime.state.of(market.symbol)
    last_price = market_last_price(market)
    average = position.average_price
    return {
        "symbol": market.symbol,
        "asset": market.base.code,
        "quote_asset": market.quote.code,
        "quantity": format_amount(quantity),
        "average_price": amount_or_none(
            None if average is None else average.quantize(AVERAGE_PRICE_QUANTUM)
        ),
        "realized_pnl": format_amount(position.realized),
        **position_figures(
            quantity=quantity, average_price=average, last_price=last_price, ticker=state.ticker
        ),
    }


def position_figures(
    *,
    quantity: Decimal,
    average_price: Decimal | None,
    last_price: Decimal | None,
    ticker: Ticker24h | None,
) -> dict[str, str | None]:
    """``market_value``, ``unrealized_pnl``, ``percent_change`` (the market's 24h change) and
    ``equity_change`` (that change applied to the quantity held now), as decimal strings."""
    value = None if last_price is None else quantity * last_price
    unrealized = None
    if value is not None and average_price is not None:
        unrealized = value - average_price * quantity
    return {
        "last_price": amount_or_none(last_price),
        "market_value": amount_or_none(value),
        "unrealized_pnl": amount_or_none(unrealized),
        "percent_change": None if ticker is None else format_amount(ticker.price_change_percent),
        "equity_change": None if ticker is None else format_amount(quantity * ticker.price_change),
    }


def updated_position(
    entry: dict[str, Any], last_price: Decimal, ticker: Ticker24h | None
) -> dict[str, Any]:
    """A ``GET /api/portfolio/`` entry recomputed at a new last price."""
    average = entry.get("average_price")
    return {
        **entry,
        **position_figures(
            quantity=Decimal(entry["quantity"]),
            average_price=None if average is None else Decimal(average),
            last_price=last_price,
            ticker=ticker,
        ),
    }
