"""Writes to assets and markets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.db import IntegrityError, connection, transaction

from paperex.apps.markets.models import Asset, Candle, Market
from paperex.apps.markets.seed import ASSETS, MARKETS, market_symbol
from paperex.domain import Instrument, PercentPriceBySide
from paperex.marketdata.aggregation.intervals import MINUTE, open_time_of
from paperex.marketdata.events import Kline


@transaction.atomic
def markets_seed() -> list[Market]:
    """Create or update the default assets and markets; running it again changes nothing."""
    assets = {
        seed.code: Asset.objects.update_or_create(
            code=seed.code,
            defaults={"name": seed.name, "kind": seed.kind, "decimals": seed.decimals},
        )[0]
        for seed in ASSETS
    }
    markets = []
    for seed in MARKETS:
        symbol = market_symbol(seed)
        market, _ = Market.objects.update_or_create(
            symbol=symbol,
            defaults={
                "base": assets[seed.base],
                "quote": assets[seed.quote],
                "kind": seed.kind,
                "tick_size": Decimal(seed.tick_size),
                "step_size": Decimal(seed.step_size),
                "min_notional": Decimal(seed.min_notional),
                "venue": seed.venue,
                "venue_symbol": symbol,
                "mode": seed.mode,
                "maker_fee_rate": Decimal(seed.maker_fee_rate),
                "taker_fee_rate": Decimal(seed.taker_fee_rate),
            },
        )
        markets.append(market)
    return markets


LISTED_ASSET_DECIMALS = 8
LISTED_FEE_RATE = Decimal("0.001")
"""A listed market's maker and taker fee: Binance's standard 0.1%, as the default crypto pairs."""


@transaction.atomic
def market_from_listing_add(
    *, instrument: Instrument, venue: str, price: Decimal, at_ms: int
) -> Market | None:
    """A new PAPER crypto market for a symbol ``venue`` has just listed, with the venue's rules
    and its missing assets, or None when the symbol is a market already.

    Its first price is stored as a one-minute candle at ``at_ms`` (rounded down to the tick), so
    the market's history and feed start from where the venue listed it. Engines and feeds load
    their markets when they start: the market trades from the next start on.
    """
    if Market.objects.filter(symbol=instrument.symbol).exists():
        return None
    base, quote = (
        Asset.objects.get_or_create(
            code=code,
            defaults={"name": code, "kind": Asset.Kind.CRYPTO, "decimals": LISTED_ASSET_DECIMALS},
        )[0]
        for code in (instrument.base, instrument.quote)
    )
    try:
        with transaction.atomic():
            market = Market.objects.create(
                symbol=instrument.symbol,
                base=base,
                quote=quote,
                kind=Market.Kind.CRYPTO,
                tick_size=instrument.tick_size,
                step_size=instrument.step_size,
                min_notional=instrument.min_notional,
                venue=venue,
                venue_symbol=instrument.symbol,
                mode=Market.Mode.PAPER,
                maker_fee_rate=LISTED_FEE_RATE,
                taker_fee_rate=LISTED_FEE_RATE,
            )
    except IntegrityError:
        return None  # another process added it a moment ago
    first = price // instrument.tick_size * instrument.tick_size
    open_time = open_time_of(at_ms, "1m")
    candles_upsert(
        klines=[
            Kline(
                venue=venue,
                symbol=instrument.symbol,
                event_time=at_ms,
                received_at=at_ms,
                interval="1m",
                open_time=open_time,
                close_time=open_time + MINUTE - 1,
                open=first,
                high=first,
                low=first,
                close=first,
                volume=Decimal(0),
                quote_volume=Decimal(0),
                trade_count=0,
                closed=True,
            )
        ]
    )
    return market


def market_rules_update(
    *,
    symbol: str,
    status: str,
    tick_size: Decimal | None = None,
    step_size: Decimal | None = None,
    min_notional: Decimal | None = None,
    percent_price_by_side: PercentPriceBySide | None = None,
) -> Market:
    """Set a market's status and trading rules (a rule that is None or not positive for tick and
    step sizes stays as it was); raises Market.DoesNotExist for an unknown symbol and ValueError
    for an unknown status."""
    if status not in Market.Status.values:
        raise ValueError(f"market status {status!r} is not one of {Market.Status.values}")
    market = Market.objects.get(symbol=symbol)
    market.status = status
    if tick_size is not None and tick_size > 0:
        market.tick_size = tick_size
    if step_size is not None and step_size > 0:
        market.step_size = step_size
    if min_notional is not None and min_notional >= 0:
        market.min_notional = min_notional
    update_fields = ["status", "tick_size", "step_size", "min_notional"]
    if percent_price_by_side is not None:
        for field in fields(percent_price_by_side):
            name = f"percent_price_{field.name}"
            setattr(market, name, getattr(percent_price_by_side, field.name))
            update_fields.append(name)
    market.save(update_fields=update_fields)
    return market


def candles_upsert(*, klines: Sequence[Kline]) -> int:
    """Insert or update candles in one statement; returns how many were written.

    Klines of symbols that are not markets here are skipped.
    """
    market_ids = _market_ids(klines)
    rows = [
        Candle(
            market_id=market_ids[kline.symbol],
            interval=kline.interval,
            open_time=kline.open_time,
            **{field: getattr(kline, field) for field in Candle.VALUE_FIELDS},
        )
        for kline in klines
        if kline.symbol in market_ids
    ]
    Candle.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["market", "interval", "open_time"],
        update_fields=list(Candle.VALUE_FIELDS),
    )
    return len(rows)


def candles_add_missing(*, klines: Sequence[Kline]) -> None:
    """Insert the candles that are not stored yet; a stored candle is never changed.

    Klines of symbols that are not markets here are skipped. A day of history is some 30,000
    rows, which the ORM would take 10 s to build: PostgreSQL copies them into a scratch table
    first, other databases take multi-row inserts.
    """
    market_ids = _market_ids(klines)
    rows = [
        (
            market_ids[k.symbol],
            k.interval,
            k.open_time,
            *(getattr(k, f) for f in Candle.VALUE_FIELDS),
        )
        for k in klines
        if k.symbol in market_ids
    ]
    quote = connection.ops.quote_name
    key = ["market_id", "interval", "open_time"]
    columns = ", ".join(map(quote, [*key, *Candle.VALUE_FIELDS]))
    table = quote(Candle._meta.db_table)
    unless_stored = f"ON CONFLICT ({', '.join(map(quote, key))}) DO NOTHING"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE new_candles AS SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY new_candles ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM new_candles {unless_stored}"
            )
            cursor.execute("DROP TABLE new_candles")
            return
        row_values = f"({', '.join(['%s'] * len(rows[0]))})" if rows else ""
        for start in range(0, len(rows), _ROWS_PER_INSERT):
            batch = rows[start : start + _ROWS_PER_INSERT]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_values] * len(batch))} "
                + unless_stored,
                [value for row in batch for value in row],
            )


_ROWS_PER_INSERT = 80
"""Within SQLite's oldest limit of 999 parameters a statement."""


def _market_ids(klines: Sequence[Kline]) -> dict[str, int]:
    symbols = {kline.symbol for kline in klines}
    return dict(Market.objects.filter(symbol__in=symbols).values_list("symbol", "id"))


async def candles_store(klines: list[Kline]) -> None:
    """``candles_upsert`` for the event loop: the feed pipeline's closed-candle sink."""
    await sync_to_async(candles_upsert)(klines=klines)
