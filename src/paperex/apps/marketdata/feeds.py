"""Turn feed specs (``synthetic``, ``binance``, ``replay:FILE?speed=10&loop=1``, ...) into feeds.

Live venues (binance, gemini, yahoo) run for the trading markets whose ``venue`` is theirs, under
the venue's spelling of each symbol (``Market.venue_symbol``); the feed's ``symbol_map`` turns it
back into ours where messages become events. Base URLs come from the settings
``PAPEREX_BINANCE_STREAM_URL``, ``PAPEREX_BINANCE_REST_URL`` and ``PAPEREX_GEMINI_URL``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from django.conf import settings

from paperex.apps.marketdata.history import synthetic_history_store
from paperex.apps.markets.instruments import market_instrument
from paperex.apps.markets.models import Market
from paperex.domain import Instrument
from paperex.marketdata.binance.feed import BinanceFeed
from paperex.marketdata.events import Kline
from paperex.marketdata.feed import Feed
from paperex.marketdata.gemini.client import GeminiStreamClient
from paperex.marketdata.pacing import parse_speed
from paperex.marketdata.replay import ReplayFeed
from paperex.marketdata.synthetic import SyntheticFeed
from paperex.marketdata.yahoo.poller import YahooQuotePoller
from paperex.support.clock import wall_clock_ms

LIVE_VENUES = ("binance", "gemini", "yahoo")
LIVE_STREAMS = {
    "binance": ("trade", "aggTrade", "depth", "ticker", "miniTicker", "kline_<interval>"),
    "gemini": ("l2", "candles_<timeframe>"),
    "yahoo": ("quote",),
}
"""The short stream names each live venue records."""
SERVED_STREAMS = {
    "synthetic": ("trade", "depth"),
    "binance": ("trade", "depth"),
    "gemini": ("l2",),
    "yahoo": ("quote",),
}
"""What ``paperex serve --feed <venue>`` subscribes (trades and the book, or quotes), and what
``paperex record`` records when no streams are named."""


class FeedUnavailableError(ValueError):
    """A feed spec that cannot run: unknown venue, bad options, missing file or markets."""


@dataclass(frozen=True)
class ReplaySpec:
    path: Path
    speed: float | None
    loop: bool


def trading_instruments(
    symbols: Sequence[str] | None = None, *, exclude_venues: Sequence[str] = ()
) -> list[Instrument]:
    """The trading markets (all, or these symbols, less those of ``exclude_venues``) as
    instruments. Raises FeedUnavailableError naming symbols that are not trading markets.
    """
    markets = (
        Market.objects.filter(status=Market.Status.TRADING)
        .exclude(venue__in=exclude_venues)
        .select_related("base", "quote")
    )
    if symbols is not None:
        wanted = {symbol.upper() for symbol in symbols}
        markets = markets.filter(symbol__in=wanted)
        missing = wanted - {market.symbol for market in markets}
        if missing:
            raise FeedUnavailableError(f"unknown or halted markets: {', '.join(sorted(missing))}")
    return [market_instrument(market) for market in markets]


def parse_replay_spec(spec: str) -> ReplaySpec:
    """``replay:PATH[?speed=1|10|max][&loop=1]``; raises FeedUnavailableError when malformed."""
    target = spec.removeprefix("replay:")
    path_text, _, query = target.partition("?")
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    unknown = set(options) - {"speed", "loop"}
    if unknown:
        raise FeedUnavailableError(f"{spec!r}: unknown replay options {sorted(unknown)}")
    try:
        speed = parse_speed(options.get("speed", "1"))
    except ValueError as error:
        raise FeedUnavailableError(f"{spec!r}: {error}") from None
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise FeedUnavailableError(f"{spec!r}: no recording at {path}")
    return ReplaySpec(path, speed, options.get("loop", "0").lower() in {"1", "true", "yes"})


def replay_feed(spec: ReplaySpec) -> ReplayFeed:
    """The recording as a feed; raises FeedUnavailableError when it cannot be read."""
    try:
        return ReplayFeed(spec.path, speed=spec.speed, loop=spec.loop)
    except (OSError, ValueError) as error:
        raise FeedUnavailableError(f"cannot replay {spec.path}: {error}") from None


def venue_symbol_map(venue: str, symbols: Sequence[str] | None = None) -> dict[str, str]:
    """Venue symbol -> Paperex symbol of the trading markets of ``venue`` (all, or these).

    A wanted symbol that is no such market stands for itself (record anything the venue has).
    """
    markets = Market.objects.filter(status=Market.Status.TRADING, venue=venue).order_by("symbol")
    if symbols is None:
        return {market.venue_symbol or market.symbol: market.symbol for market in markets}
    wanted = [symbol.upper() for symbol in symbols]
    known = {m.symbol: m.venue_symbol or m.symbol for m in markets.filter(symbol__in=wanted)}
    return {known.get(symbol, symbol): symbol for symbol in wanted}


def live_feed(
    venue: str,
    symbol_map: dict[str, str],
    streams: Sequence[str],
    *,
    history: Sequence[Kline] = (),
) -> Feed:
    """A live ``venue`` feed of the venue symbols in ``symbol_map`` (keys) with short ``streams``,
    going on from the candles of ``history`` (binance's, see ``venue_sync``).

    Raises FeedUnavailableError for an unknown venue or stream, or no symbols.
    """
    if venue not in LIVE_VENUES:
        raise FeedUnavailableError(f"{venue!r} is not a live venue ({', '.join(LIVE_VENUES)})")
    if not symbol_map:
        raise FeedUnavailableError(f"no trading markets have the venue {venue}")
    venue_symbols = list(symbol_map)
    try:
        if venue == "binance":
            return BinanceFeed(
                venue_symbols,
                streams,
                symbol_map=symbol_map,
                stream_url=settings.PAPEREX_BINANCE_STREAM_URL,
                rest_url=settings.PAPEREX_BINANCE_REST_URL,
                history=history,
            )
        if venue == "gemini":
            return GeminiStreamClient(
                [f"{symbol.lower()}@{stream}" for symbol in venue_symbols for stream in streams],
                base_url=settings.PAPEREX_GEMINI_URL,
                symbol_map=symbol_map,
            )
        if set(streams) != {"quote"}:
            raise ValueError("yahoo offers only the stream quote")
        return YahooQuotePoller(
            venue_symbols, interval=settings.PAPEREX_YAHOO_POLL_SECONDS, symbol_map=symbol_map
        )
    except ValueError as error:
        offered = ", ".join(LIVE_STREAMS[venue])
        raise FeedUnavailableError(f"{error} (the {venue} streams: {offered})") from None


def build_feeds(
    specs: Sequence[str], *, histories: Mapping[str, Sequence[Kline]] | None = None
) -> list[Feed]:
    """One feed per spec, a live venue's going on from its candles in ``histories`` (by venue);
    raises FeedUnavailableError.

    A live venue covers the trading markets of that venue; the synthetic feed covers the trading
    markets that no configured live venue covers (all of them when it runs alone), so that
    ``--feed binance --feed synthetic`` gives live crypto and simulated stocks; it first stores
    the day of history its markets miss and goes on from it (``history``).
    """
    kinds = [spec.split(":", 1)[0] for spec in specs]
    live_kinds = [kind for kind in kinds if kind in LIVE_VENUES]
    feeds: list[Feed] = []
    for spec, kind in zip(specs, kinds, strict=True):
        if kind == "synthetic":
            instruments = trading_instruments(exclude_venues=live_kinds)
            if not instruments:
                raise FeedUnavailableError("the live feeds cover every market; drop synthetic")
            history = synthetic_history_store(instruments, now_ms=wall_clock_ms())
            # The feed's time starts when it is made, not where the history ends: the pipeline
            # closes candles by the wall clock, so simulated time must not lag behind it.
            feeds.append(
                SyntheticFeed(instruments, profiles=history.profiles, history=history.klines)
            )
        elif kind == "replay":
            feeds.append(replay_feed(parse_replay_spec(spec)))
        elif kind in LIVE_VENUES:
            fetched = (histories or {}).get(kind, ())
            feeds.append(
                live_feed(kind, venue_symbol_map(kind), SERVED_STREAMS[kind], history=fetched)
            )
        else:
            raise FeedUnavailableError(f"feed {spec!r} is not available in this build")
    return feeds


def recording_feed(venue: str, symbols: Sequence[str], streams: Sequence[str]) -> Feed:
    """A live feed of these symbols and streams (short names: trade, depth, kline_1m, ...).

    Synthetic needs trading markets; a live venue takes a market's venue symbol when the symbol
    is one of its markets, else the symbol as given (``LIVE_STREAMS`` lists the streams).
    Raises FeedUnavailableError for an unknown venue, market or stream.
    """
    if venue == "synthetic":
        offered = {"trade", "depth"}
        if not set(streams) <= offered:
            raise FeedUnavailableError(
                f"the synthetic feed offers the streams {sorted(offered)}, not "
                f"{sorted(set(streams) - offered)}"
            )
        instruments = trading_instruments(symbols)
        names = [f"{i.symbol.lower()}@{stream}" for i in instruments for stream in streams]
        return SyntheticFeed(instruments, streams=names)
    if venue in LIVE_VENUES:
        if not symbols or not streams:
            raise FeedUnavailableError("recording needs at least one symbol and one stream")
        return live_feed(venue, venue_symbol_map(venue, symbols), streams)
    raise FeedUnavailableError(f"recording from {venue!r} is not available in this build")
