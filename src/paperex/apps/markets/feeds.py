"""Turn feed specs (``synthetic``, ``replay:FILE?speed=10&loop=1``, ...) into feed instances."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from paperex.apps.markets.models import Market
from paperex.domain import Instrument
from paperex.marketdata.feed import Feed
from paperex.marketdata.pacing import parse_speed
from paperex.marketdata.replay import ReplayFeed
from paperex.marketdata.synthetic import SyntheticFeed


class FeedUnavailableError(ValueError):
    """A feed spec that cannot run: unknown venue, bad options, missing file or markets."""


@dataclass(frozen=True)
class ReplaySpec:
    path: Path
    speed: float | None
    loop: bool


def market_instrument(market: Market) -> Instrument:
    """The pure trading rules of a market row."""
    return Instrument(
        symbol=market.symbol,
        base=market.base.code,
        quote=market.quote.code,
        # The database pads decimals to 12 places; the instrument keeps the real precision.
        tick_size=market.tick_size.normalize(),
        step_size=market.step_size.normalize(),
        min_notional=market.min_notional.normalize(),
    )


def trading_instruments(symbols: Sequence[str] | None = None) -> list[Instrument]:
    """The trading markets (all, or these symbols) as instruments.

    Raises FeedUnavailableError naming symbols that are not trading markets.
    """
    markets = Market.objects.filter(status=Market.Status.TRADING).select_related("base", "quote")
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


def build_feeds(specs: Sequence[str]) -> list[Feed]:
    """One feed per spec, over the trading markets; raises FeedUnavailableError."""
    feeds: list[Feed] = []
    for spec in specs:
        kind = spec.split(":", 1)[0]
        if kind == "synthetic":
            feeds.append(SyntheticFeed(trading_instruments()))
        elif kind == "replay":
            feeds.append(replay_feed(parse_replay_spec(spec)))
        else:
            raise FeedUnavailableError(f"feed {spec!r} is not available in this build")
    return feeds


def recording_feed(venue: str, symbols: Sequence[str], streams: Sequence[str]) -> Feed:
    """A live feed of these symbols and streams (short names: trade, depth, kline_1m, ...).

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
    raise FeedUnavailableError(f"recording from {venue!r} is not available in this build")
