"""The figures of one day of trades, per ticker and in total, computed exactly from the bytes of
a ``trades.csv`` with polars.

Exactness: prices, quantities and fees are parsed by polars as ``Decimal(38, 12)`` and computed
on as their integer form (value x 10^12, an ``Int128``). Sums of quantities and fees cannot
overflow it; a product price x quantity has scale 24 and every sum of such products is at most
(largest price) x (total quantity), which is checked against 2^127 before polars multiplies.
A file beyond that bound (prices and volumes near the format's 18 integer digits) has its
products summed in Python integers instead, slower but just as exact. Nothing is ever a float.

Realized P&L is FIFO over the day's round trips per ticker, starting flat: with M = min(bought,
sold), the k-th unit sold is matched with the k-th unit bought, so the P&L is the proceeds of the
first M units sold minus the cost of the first M units bought, each a prefix of that side's trades
in time order, the last one of the prefix taken in part. This holds through a flip from long to
short and back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import MAX_PREC, Context, Decimal, Inexact, localcontext
from pathlib import Path

import polars as pl

from paperex.analysis.trades_csv import (
    ASSET_PATTERN,
    COLUMNS,
    DECIMAL_PATTERN,
    HEADER,
    SIDES,
    TICKER_PATTERN,
    TradesFileError,
    first_problem,
    header_problem,
)

SCALE = 12
"""Decimal places of the integer form of prices, quantities and fees."""
VWAP_PLACES = 12
"""VWAP is notional / volume rounded to this many places, half to even."""
TOTAL = "TOTAL"
"""The ticker name of the row that sums all tickers."""

_INT128_LIMIT = 2**127
_EXACT = Context(prec=MAX_PREC, traps=[Inexact])
_FIXED = pl.Decimal(38, SCALE)
_SCHEMA: dict[str, pl.DataType] = {
    **{column: pl.String() for column in COLUMNS},
    "id": pl.Int64(),
    # Grouped on: categories group faster than text. A side outside the enum fails the read.
    "ticker": pl.Categorical(),
    "side": pl.Enum(SIDES),
    "fee_asset": pl.Categorical(),
}
_CANONICAL_TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%6fZ"
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%.fZ", "%Y-%m-%dT%H:%M:%S%.f+00:00")


@dataclass(frozen=True)
class TickerFigures:
    """One row of the analysis: a ticker's figures, or the TOTAL row's (``ticker == TOTAL``),
    where ``vwap``, ``high`` and ``low`` are None because they mean nothing across tickers."""

    ticker: str
    trades: int
    buy_quantity: Decimal
    sell_quantity: Decimal
    volume: Decimal
    notional: Decimal
    vwap: Decimal | None
    high: Decimal | None
    low: Decimal | None
    first_trade: datetime | None
    last_trade: datetime | None
    fees: Mapping[str, Decimal]
    """Fee sums by fee asset (the empty string for fees without an asset), sorted by asset."""
    realized_pnl: Decimal


def analyze_trades_csv(source: bytes | Path) -> tuple[TickerFigures, ...]:
    """The figures of every ticker in ``source`` (a whole ``trades.csv``: its bytes, or its
    path, read in place), sorted by ticker, then the TOTAL row. Raises
    :class:`TradesFileError` naming the first bad line and column, OSError when the path cannot
    be read."""
    day = _parsed(source)
    if day.trades.is_empty():
        return (_total([]),)
    by_side, fees = _group_sums(day.trades, with_notional=day.products_fit_int128)
    keys_ok = all(re.fullmatch(TICKER_PATTERN, ticker) for ticker in by_side)
    assets_ok = all(
        asset == "" or re.fullmatch(ASSET_PATTERN, asset)
        for by_asset in fees.values()
        for asset in by_asset
    )
    if not (keys_ok and assets_ok):
        raise _malformed(source, "a ticker or fee asset breaks the format")
    trades = day.trades if day.in_time_order else _in_time_order(day.trades)
    products = _product_sums(trades, by_side, fit_int128=day.products_fit_int128)
    rows = [
        _ticker_figures(ticker, by_side[ticker], products[ticker], fees.get(ticker, {}))
        for ticker in sorted(by_side)
    ]
    return (*rows, _total(rows))


def _malformed(source: bytes | Path, fallback: str) -> TradesFileError:
    data = source.read_bytes() if isinstance(source, Path) else source
    return TradesFileError(first_problem(data) or f"trades.csv is malformed: {fallback}")


def _first_line(source: bytes | Path) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as file:
            return file.readline(len(HEADER) + 1)
    return source[: len(HEADER) + 1]


@dataclass(frozen=True)
class _Day:
    trades: pl.DataFrame
    """id, ticker, side, fee_asset (null without one), time, and price, quantity and fee in
    integer form."""
    in_time_order: bool
    """Whether the file lists its trades in (time, id) order already, as exports do."""
    products_fit_int128: bool
    """Whether every product and every sum of products fits an Int128: each is at most the
    largest price times the total quantity."""


def _parsed(source: bytes | Path) -> _Day:
    """The columns the analysis uses, checked; price, quantity and fee in integer form."""
    if header_problem(_first_line(source)) is not None:
        raise _malformed(source, "its header")
    trades = _scanned(source, _parsed_times(_CANONICAL_TIMESTAMP))
    if trades.select((pl.col("time").is_null() & pl.col("stamped")).any()).item():
        # Other accepted forms (exports never write them): the file is read again.
        any_form = pl.coalesce(_parsed_times(text_format) for text_format in _TIMESTAMP_FORMATS)
        trades = _scanned(source, any_form)
    time_step = pl.col("time").to_physical().diff()
    checks = trades.select(
        pl.col("price_ok", "quantity_ok", "fee_ok").all(),
        pl.col("id", "ticker", "side", "time").is_not_null().all(),
        (pl.col("price", "quantity").min() > 0) | (pl.len() == 0),
        ((time_step > 0) | ((time_step == 0) & (pl.col("id").diff() >= 0)))
        .fill_null(True)
        .all()
        .alias("in_time_order"),
        pl.col("price").max().alias("highest_price"),
        pl.col("quantity").sum().alias("total_quantity"),
    ).row(0, named=True)
    in_time_order = checks.pop("in_time_order")
    highest_price, total_quantity = checks.pop("highest_price"), checks.pop("total_quantity")
    if not all(checks.values()):
        raise _malformed(source, "a value breaks the format")
    return _Day(
        trades.drop("price_ok", "quantity_ok", "fee_ok", "stamped"),
        in_time_order=in_time_order,
        products_fit_int128=(highest_price or 0) * total_quantity < _INT128_LIMIT,
    )


def _scanned(source: bytes | Path, times: pl.Expr) -> pl.DataFrame:
    """The trades with ``times`` as ``time``, their decimals in integer form, whether each
    decimal's text is well formed (``*_ok``) and whether it has a timestamp (``stamped``).
    One streaming query: each batch of lines is converted while the next ones are being read,
    and the text columns are never held whole."""
    scan = pl.scan_csv(source, schema=_SCHEMA, quote_char=None).select(
        "id",
        "ticker",
        "side",
        "fee_asset",
        times.alias("time"),
        *(
            pl.col(column).cast(_FIXED, strict=False).to_physical().alias(column)
            for column in ("price", "quantity", "fee")
        ),
        # The cast truncates digits past the 12th and takes 1e5 or .5: the text is checked too.
        pl.col("price", "quantity").str.contains(DECIMAL_PATTERN).name.suffix("_ok"),
        (pl.col("fee").is_null() | pl.col("fee").str.contains(DECIMAL_PATTERN)).alias("fee_ok"),
        pl.col("timestamp").is_not_null().alias("stamped"),
    )
    try:
        return scan.collect(engine="streaming")
    except pl.exceptions.PolarsError as error:  # a side other than BUY or SELL, among others
        raise _malformed(source, str(error).splitlines()[0]) from None


def _parsed_times(text_format: str) -> pl.Expr:
    """The ``timestamp`` column as UTC datetimes, null where it does not have ``text_format``.
    Uncached: a day's timestamps hardly repeat."""
    return pl.col("timestamp").str.strptime(
        pl.Datetime("us", "UTC"), text_format, strict=False, cache=False
    )


@dataclass(frozen=True)
class _SideSums:
    trades: int
    quantity: int
    high: int
    low: int
    first_trade: datetime
    last_trade: datetime
    notional: int
    """Sum of price x quantity at scale 2 x SCALE; 0 when it was not summed (see _Day)."""


@dataclass(frozen=True)
class _ProductSums:
    notional: int
    """Sum of price x quantity, at scale 2 x SCALE."""
    realized_pnl: int
    """FIFO proceeds minus cost of the matched quantity, at scale 2 x SCALE."""


def _group_sums(
    trades: pl.DataFrame, *, with_notional: bool
) -> tuple[dict[str, dict[str, _SideSums]], dict[str, dict[str, int]]]:
    """ticker -> side -> the sums of that side's trades, and ticker -> fee asset (the empty
    string for none) -> the sum of its fees; one pass over the trades for both."""
    price, quantity = pl.col("price"), pl.col("quantity")
    notional = (price * quantity).sum() if with_notional else pl.lit(0, pl.Int128).first()
    groups = (
        trades.lazy()
        .group_by("ticker", "side", "fee_asset")
        .agg(
            pl.len().alias("trades"),
            quantity.sum(),
            price.max().alias("high"),
            price.min().alias("low"),
            pl.col("time").min().alias("first_trade"),
            pl.col("time").max().alias("last_trade"),
            notional.alias("notional"),
            pl.col("fee").sum(),
            pl.col("fee").count().alias("fees_charged"),
        )
        .collect()
    )
    by_side: dict[str, dict[str, _SideSums]] = {}
    fees: dict[str, dict[str, int]] = {}
    for row in groups.iter_rows(named=True):
        ticker, side, asset = row.pop("ticker"), row.pop("side"), row.pop("fee_asset") or ""
        fee, fees_charged = row.pop("fee"), row.pop("fees_charged")
        if fees_charged:
            by_asset = fees.setdefault(ticker, {})
            by_asset[asset] = by_asset.get(asset, 0) + fee
        sides = by_side.setdefault(ticker, {})
        sides[side] = _merged(sides[side], _SideSums(**row)) if side in sides else _SideSums(**row)
    return by_side, {ticker: dict(sorted(by_asset.items())) for ticker, by_asset in fees.items()}


def _merged(one: _SideSums, other: _SideSums) -> _SideSums:
    """The sums of one side's trades with two fee assets, from those of each."""
    return _SideSums(
        trades=one.trades + other.trades,
        quantity=one.quantity + other.quantity,
        high=max(one.high, other.high),
        low=min(one.low, other.low),
        first_trade=min(one.first_trade, other.first_trade),
        last_trade=max(one.last_trade, other.last_trade),
        notional=one.notional + other.notional,
    )


def _in_time_order(trades: pl.DataFrame) -> pl.DataFrame:
    """The trades in (time, id) order, the file's order kept for ties."""
    return trades.sort("time", "id", maintain_order=True)


def _side_quantity(sides: Mapping[str, _SideSums], side: str) -> int:
    return sides[side].quantity if side in sides else 0


def _product_sums(
    trades: pl.DataFrame, by_side: Mapping[str, Mapping[str, _SideSums]], *, fit_int128: bool
) -> dict[str, _ProductSums]:
    """ticker -> notional and realized P&L, from ``trades`` in time order."""
    tickers = sorted(by_side)
    # M, the quantity the day's FIFO round trips match: min(bought, sold) of the ticker.
    matched = pl.col("ticker").replace_strict(
        tickers,
        pl.Series(
            [min(_side_quantity(by_side[t], side) for side in SIDES) for t in tickers],
            dtype=pl.Int128,
        ),
        return_dtype=pl.Int128,
    )
    quantity = pl.col("quantity")
    # The quantity of each trade inside its side's first M units.
    before = quantity.cum_sum().over("ticker", "side") - quantity
    matched_here = pl.min_horizontal(pl.max_horizontal(matched - before, 0), quantity)
    sign = pl.when(pl.col("side") == "SELL").then(1).otherwise(-1)
    rows = trades.lazy().select(
        "ticker", "price", "quantity", (matched_here * sign).alias("signed")
    )
    if fit_int128:
        sums = rows.group_by("ticker").agg((pl.col("price") * pl.col("signed")).sum()).collect()
        return {
            ticker: _ProductSums(
                sum(side.notional for side in by_side[ticker].values()), realized_pnl
            )
            for ticker, realized_pnl in sums.iter_rows()
        }
    by_ticker = rows.group_by("ticker").agg(pl.col("price", "quantity", "signed")).collect()
    return {
        ticker: _ProductSums(
            sum(p * q for p, q in zip(prices, quantities, strict=True)),
            sum(p * s for p, s in zip(prices, signed, strict=True)),
        )
        for ticker, prices, quantities, signed in by_ticker.iter_rows()
    }


def _decimal(value: int, scale: int = SCALE) -> Decimal:
    """The integer form ``value`` at ``scale`` as an exact Decimal."""
    return Decimal(f"{value}e-{scale}")


def _rounded_ratio(numerator: int, denominator: int, places: int) -> Decimal:
    """numerator / denominator rounded half to even to ``places`` decimal places, exactly."""
    quotient, remainder = divmod(numerator * 10**places, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2 == 1):
        quotient += 1
    return _decimal(quotient, places)


def _ticker_figures(
    ticker: str,
    sides: Mapping[str, _SideSums],
    products: _ProductSums,
    fees: Mapping[str, int],
) -> TickerFigures:
    both = list(sides.values())
    bought, sold = (_side_quantity(sides, side) for side in SIDES)
    volume = bought + sold
    return TickerFigures(
        ticker=ticker,
        trades=sum(side.trades for side in both),
        buy_quantity=_decimal(bought),
        sell_quantity=_decimal(sold),
        volume=_decimal(volume),
        notional=_decimal(products.notional, 2 * SCALE),
        vwap=_rounded_ratio(products.notional, volume * 10**SCALE, VWAP_PLACES),
        high=_decimal(max(side.high for side in both)),
        low=_decimal(min(side.low for side in both)),
        first_trade=min(side.first_trade for side in both),
        last_trade=max(side.last_trade for side in both),
        fees={asset: _decimal(fee) for asset, fee in fees.items()},
        realized_pnl=_decimal(products.realized_pnl, 2 * SCALE),
    )


def _total(rows: list[TickerFigures]) -> TickerFigures:
    with localcontext(_EXACT):
        return _sum_of(rows)


def _sum_of(rows: list[TickerFigures]) -> TickerFigures:
    fees: dict[str, Decimal] = {}
    for row in rows:
        for asset, fee in row.fees.items():
            fees[asset] = fees.get(asset, Decimal(0)) + fee
    firsts = [row.first_trade for row in rows if row.first_trade is not None]
    lasts = [row.last_trade for row in rows if row.last_trade is not None]
    return TickerFigures(
        ticker=TOTAL,
        trades=sum(row.trades for row in rows),
        buy_quantity=sum((row.buy_quantity for row in rows), Decimal(0)),
        sell_quantity=sum((row.sell_quantity for row in rows), Decimal(0)),
        volume=sum((row.volume for row in rows), Decimal(0)),
        notional=sum((row.notional for row in rows), Decimal(0)),
        vwap=None,
        high=None,
        low=None,
        first_trade=min(firsts, default=None),
        last_trade=max(lasts, default=None),
        fees=dict(sorted(fees.items())),
        realized_pnl=sum((row.realized_pnl for row in rows), Decimal(0)),
    )
