"""Binance markets kept in line with the venue: trading rules and candle history.

When the binance feed starts, ``BinanceMarketSync.start`` updates every binance market's status,
tick size, step size and min notional from ``exchangeInfo`` (awaited, so the feed starts on the
venue's rules and without halted markets), then the last ``backfill_hours`` of 1m candles page by
page (awaited too, at most ``RECENT_TIMEOUT``), then in the background the latest
``COARSE_CANDLES`` candles of each coarser stored interval (5m, 15m, 1h, 4h, 1d) in one request
each. Only closed candles are stored. The minutes of the last day and the open candle of every
interval rolled up from them (the venue's klines end with the open minute) are kept in
``history``, where the feed's candles and 24h tickers start (``Feed.history``). Nothing here
raises: failures are logged and kept in ``report``, which the runtime shows in its feed status
(``/api/health/``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

import msgspec
from asgiref.sync import sync_to_async
from django.conf import settings

from paperex.apps.markets.models import Market
from paperex.apps.markets.services import candles_upsert, market_rules_update
from paperex.marketdata.aggregation import candles_rolled_up_from_minutes
from paperex.marketdata.aggregation.intervals import DAY
from paperex.marketdata.binance.rest import BinanceApiError, BinanceRestClient, SymbolRules
from paperex.marketdata.events import Kline
from paperex.support.async_tasks import cancel_and_wait
from paperex.support.clock import ClockMs, wall_clock_ms

logger = logging.getLogger(__name__)

VENUE = "binance"
COARSE_INTERVALS = ("5m", "15m", "1h", "4h", "1d")
COARSE_CANDLES = 500
"""Candles fetched per coarser interval: 500 days of 1d, 20 days of 1h, ..."""
RULES_TIMEOUT = 15.0
"""Seconds the server start waits for ``exchangeInfo`` at most."""
RECENT_TIMEOUT = 15.0
"""Seconds the server start waits for the recent 1m candles at most."""
INVALID_SYMBOL = -1121


def market_status(venue_status: str) -> str:
    """Our status of a Binance symbol status: TRADING, BREAK, else HALT (END_OF_DAY, ...)."""
    if venue_status in (Market.Status.TRADING, Market.Status.BREAK):
        return venue_status
    return Market.Status.HALT


@dataclass
class VenueSyncReport:
    """What the sync did so far, for the feed status."""

    venue: str
    markets_updated: list[str] = field(default_factory=list)
    candles_stored: int = 0
    backfill_finished: bool = False
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return asdict(self)


def _venue_markets(*, trading_only: bool) -> dict[str, str]:
    """Venue symbol -> symbol of the binance markets."""
    markets = Market.objects.filter(venue=VENUE)
    if trading_only:
        markets = markets.filter(status=Market.Status.TRADING)
    return {m.venue_symbol or m.symbol: m.symbol for m in markets.order_by("symbol")}


class BinanceMarketSync:
    """Rules now, history in the background; see the module notes."""

    def __init__(
        self,
        rest: BinanceRestClient,
        *,
        backfill_hours: float,
        clock_ms: ClockMs = wall_clock_ms,
    ) -> None:
        """``rest`` is closed by ``stop``."""
        self.rest = rest
        self.backfill_hours = backfill_hours
        self.report = VenueSyncReport(VENUE)
        self._clock_ms = clock_ms
        self._backfill: asyncio.Task[None] | None = None
        self.history: list[Kline] = []
        """The closed 1m candles of the last day and the open candle of each interval."""

    @classmethod
    def from_settings(cls) -> BinanceMarketSync:
        """A sync against ``PAPEREX_BINANCE_REST_URL`` with ``PAPEREX_BINANCE_BACKFILL_HOURS``."""
        return cls(
            BinanceRestClient(settings.PAPEREX_BINANCE_REST_URL),
            backfill_hours=settings.PAPEREX_BINANCE_BACKFILL_HOURS,
        )

    async def start(self) -> None:
        """Update the rules, then fetch the recent minutes (waiting at most ``RULES_TIMEOUT`` and
        ``RECENT_TIMEOUT``), then start the backfill of the coarser intervals."""
        try:
            async with asyncio.timeout(RULES_TIMEOUT):
                await self.sync_rules()
        except TimeoutError:
            self.record_error("exchangeInfo", TimeoutError(f"no answer in {RULES_TIMEOUT:g} s"))
        markets = await sync_to_async(_venue_markets)(trading_only=True)
        now = self._clock_ms()
        try:
            async with asyncio.timeout(RECENT_TIMEOUT):
                await asyncio.gather(
                    *(self._backfill_minutes(venue, ours, now) for venue, ours in markets.items())
                )
        except TimeoutError:
            self.record_error("1m candles", TimeoutError(f"no answer in {RECENT_TIMEOUT:g} s"))
        self._backfill = asyncio.create_task(self.backfill(markets), name="binance-backfill")

    async def wait(self) -> None:
        """Return when the background backfill is done."""
        if self._backfill is not None:
            await self._backfill

    async def stop(self) -> None:
        """Stop a backfill in progress and close the REST client."""
        await cancel_and_wait(self._backfill)
        await self.rest.aclose()

    async def sync_rules(self) -> None:
        """Set every binance market's status and rules from ``exchangeInfo``."""
        markets = await sync_to_async(_venue_markets)(trading_only=False)
        if not markets:
            return
        try:
            rules = await self._exchange_info(list(markets))
        except Exception as error:  # the venue or the network failed: keep the stored rules
            self.record_error("exchangeInfo", error)
            return
        for rule in rules:
            symbol = markets.get(rule.symbol)
            if symbol is None:
                continue
            try:
                await sync_to_async(market_rules_update)(
                    symbol=symbol,
                    status=market_status(rule.status),
                    tick_size=rule.tick_size,
                    step_size=rule.step_size,
                    min_notional=rule.min_notional,
                    percent_price_by_side=rule.percent_price_by_side,
                )
            except Exception as error:
                self.record_error(f"rules of {symbol}", error)
            else:
                self.report.markets_updated.append(symbol)

    async def backfill(self, markets: dict[str, str]) -> None:
        """Store the recent closed coarser candles of these markets (venue symbol -> ours)."""
        await asyncio.gather(
            *(self._backfill_coarse(venue, ours) for venue, ours in markets.items())
        )
        self.report.backfill_finished = True
        logger.info("binance: %d candles backfilled", self.report.candles_stored)

    async def _backfill_minutes(self, venue_symbol: str, symbol: str, now: int) -> None:
        start = now - int(self.backfill_hours * 3_600_000)
        try:
            fetched = self.rest.kline_history(venue_symbol, "1m", start_time=start)
            minutes = [msgspec.structs.replace(kline, symbol=symbol) async for kline in fetched]
            self.report.candles_stored += await _store([k for k in minutes if k.closed])
        except Exception as error:  # one failed market costs only its candles
            self.record_error(f"1m candles of {symbol}", error)
            return
        self.history += [k for k in minutes if k.closed and k.close_time > now - DAY]
        rolled = candles_rolled_up_from_minutes(minutes, now_ms=now)
        self.history += [
            series[-1] for series in rolled.values() if series and not series[-1].closed
        ]

    async def _backfill_coarse(self, venue_symbol: str, symbol: str) -> None:
        for interval in COARSE_INTERVALS:
            try:
                klines = await self.rest.klines(venue_symbol, interval, limit=COARSE_CANDLES)
                closed = [
                    msgspec.structs.replace(kline, symbol=symbol)
                    for kline in klines
                    if kline.closed
                ]
                self.report.candles_stored += await _store(closed)
            except Exception as error:  # one failed request costs only its candles
                self.record_error(f"{interval} candles of {symbol}", error)

    async def _exchange_info(self, venue_symbols: list[str]) -> list[SymbolRules]:
        try:
            return await self.rest.exchange_info(venue_symbols)
        except BinanceApiError as error:
            if error.code != INVALID_SYMBOL or len(venue_symbols) == 1:
                raise
        rules: list[SymbolRules] = []  # one of them is unknown: ask one by one
        for symbol in venue_symbols:
            try:
                rules += await self.rest.exchange_info([symbol])
            except BinanceApiError as error:
                self.record_error(f"exchangeInfo of {symbol}", error)
        return rules

    def record_error(self, what: str, error: BaseException) -> None:
        """Log a failure and keep it in the report."""
        text = f"{what}: {type(error).__name__}: {error}"
        logger.warning("binance market sync: %s", text)
        self.report.errors.append(text)


async def _store(klines: list[Kline]) -> int:
    if not klines:
        return 0
    stored: int = await sync_to_async(candles_upsert)(klines=klines)
    return stored


async def venue_sync_start(feed_specs: list[str]) -> BinanceMarketSync | None:
    """Start the binance market sync when ``feed_specs`` run the binance feed; never raises."""
    if VENUE not in feed_specs:
        return None
    sync = BinanceMarketSync.from_settings()
    try:
        await sync.start()
    except Exception as error:
        sync.record_error("start", error)
    return sync
