"""Replay throughput: decode + normalize + aggregate a recording, ours against a naive baseline.

Input: a deterministic recording of Binance combined-stream trade frames
(``{"stream":"btcusdt@trade","data":{"e":"trade",...}}``) over a few symbols, written with our
recorder. Both paths read the same ``.jsonl.gz`` file in the same process and build 1m candles:

- ours: ``ReplayFeed`` at speed max (chunked gzip + msgspec line decoding, receive-time order)
  -> ``paperex.marketdata.binance.parse.parse_message`` (msgspec into the normalized ``Trade``)
  -> ``CandleAggregator(["1m"])``;
- baseline: ``gzip.open`` line by line -> ``json.loads`` of the line and of the payload -> a
  pydantic v2 model per message -> the same candle rules written naively (dicts per candle).

Then the 1x pacing error: a few seconds of messages with realistic gaps replayed on the real
clock, lateness percentiles. Prints a table and one JSON line. Measures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from paperex.marketdata.aggregation import CandleAggregator
from paperex.marketdata.binance.parse import parse_message
from paperex.marketdata.events import Trade
from paperex.marketdata.feed import RawMessage
from paperex.marketdata.recording import RecordingHeader, RecordingWriter
from paperex.marketdata.replay import ReplayFeed, measure_pacing

SYMBOLS = {"BTCUSDT": (6_000_000, 5), "ETHUSDT": (300_000, 4), "BNBUSDT": (60_000, 3)}
"""Symbol -> (start price in cents, quantity decimals)."""
START_MS = 1_700_000_000_000


# --- input -----------------------------------------------------------------------------------


def trade_frames(count: int, seed: int, mean_gap_ms: float) -> list[RawMessage]:
    """Deterministic combined-stream trade frames, received ``mean_gap_ms`` apart on average."""
    rng = random.Random(seed)
    prices = {symbol: start for symbol, (start, _) in SYMBOLS.items()}
    symbols = list(SYMBOLS)
    weights = [6, 3, 1]
    received = float(START_MS)
    trade_ids = dict.fromkeys(SYMBOLS, 1_000_000)
    frames = []
    for _ in range(count):
        received += rng.expovariate(1 / mean_gap_ms)
        symbol = rng.choices(symbols, weights)[0]
        price = prices[symbol] = max(1, prices[symbol] + round(rng.gauss(0, 3)))
        decimals = SYMBOLS[symbol][1]
        lots = max(1, int(rng.lognormvariate(6, 1.2)))
        quantity = f"{lots // 10**decimals}.{lots % 10**decimals:0{decimals}d}"
        trade_ids[symbol] += 1
        event_time = int(received) - rng.randint(1, 30)
        buyer_maker = "true" if rng.random() < 0.5 else "false"
        data = (
            f'{{"e":"trade","E":{event_time},"s":"{symbol}","t":{trade_ids[symbol]},'
            f'"p":"{price // 100}.{price % 100:02d}","q":"{quantity}","T":{event_time - 1},'
            f'"m":{buyer_maker},"M":true}}'
        )
        payload = f'{{"stream":"{symbol.lower()}@trade","data":{data}}}'
        frames.append(RawMessage(int(received), payload.encode()))
    return frames


def write_input(path: Path, frames: list[RawMessage]) -> None:
    header = RecordingHeader(
        venue="binance",
        symbols=list(SYMBOLS),
        streams=[f"{symbol.lower()}@trade" for symbol in SYMBOLS],
        started_at=START_MS,
        tool_version="bench/replay.py",
    )
    with RecordingWriter(path, header) as writer:
        writer.write_many(frames)


# --- ours ------------------------------------------------------------------------------------


async def run_ours(path: Path) -> tuple[int, int]:
    """Events normalized and candles closed."""
    feed = ReplayFeed(path, speed=None)
    candles = CandleAggregator(["1m"])
    add_trade = candles.add_trade
    parse = parse_message
    events = closed = 0
    async for batch in feed.batches():
        for message in batch:
            for event in parse(message):
                events += 1
                if type(event) is Trade:
                    closed += len(add_trade(event))
    return events, closed


# --- baseline --------------------------------------------------------------------------------


class TradePayload(BaseModel):
    event_type: str = Field(alias="e")
    event_time: int = Field(alias="E")
    symbol: str = Field(alias="s")
    trade_id: int = Field(alias="t")
    price: Decimal = Field(alias="p")
    quantity: Decimal = Field(alias="q")
    trade_time: int = Field(alias="T")
    buyer_is_maker: bool = Field(alias="m")
    ignore: bool = Field(alias="M")


class CombinedTradeFrame(BaseModel):
    stream: str
    data: TradePayload


def run_baseline(path: Path) -> tuple[int, int]:
    """The straightforward way: json + a pydantic model per message + dict candles."""
    interval = 60_000
    candles: dict[str, dict[str, Any]] = {}
    events = closed = 0
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        next(lines)  # header
        for line in lines:
            record = json.loads(line)
            frame = CombinedTradeFrame.model_validate(json.loads(record["payload"]))
            trade = frame.data
            events += 1
            open_time = trade.trade_time - trade.trade_time % interval
            candle = candles.get(trade.symbol)
            if candle is not None and open_time > candle["open_time"]:
                closed += 1
                candle = None
            if candle is None:
                candles[trade.symbol] = {
                    "open_time": open_time,
                    "close_time": open_time + interval - 1,
                    "open": trade.price,
                    "high": trade.price,
                    "low": trade.price,
                    "close": trade.price,
                    "volume": trade.quantity,
                    "quote_volume": trade.price * trade.quantity,
                    "trades": 1,
                }
            elif open_time == candle["open_time"]:
                candle["high"] = max(candle["high"], trade.price)
                candle["low"] = min(candle["low"], trade.price)
                candle["close"] = trade.price
                candle["volume"] += trade.quantity
                candle["quote_volume"] += trade.price * trade.quantity
                candle["trades"] += 1
    return events, closed


# --- measurement -----------------------------------------------------------------------------


def timed(run: Any, repeat: int) -> tuple[float, tuple[int, int]]:
    """The best of ``repeat`` runs' seconds, and the run's result."""
    best = float("inf")
    result = (0, 0)
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--baseline-messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pacing-seconds", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        big = Path(directory) / "trades.jsonl.gz"
        small = Path(directory) / "trades-baseline.jsonl.gz"
        paced = Path(directory) / "trades-paced.jsonl.gz"
        frames = trade_frames(args.messages, args.seed, mean_gap_ms=1.0)
        write_input(big, frames)
        write_input(small, frames[: args.baseline_messages])
        # 1x pacing: ~500 messages/s with exponential gaps, as a busy pair sends them.
        pacing_frames = trade_frames(int(args.pacing_seconds * 500), args.seed + 1, 2.0)
        write_input(paced, pacing_frames)
        size_mb = big.stat().st_size / 1e6
        del frames

        ours_seconds, (ours_events, ours_closed) = timed(
            lambda: asyncio.run(run_ours(big)), args.repeat
        )
        ours_small_seconds, ours_small = timed(lambda: asyncio.run(run_ours(small)), args.repeat)
        base_seconds, baseline = timed(lambda: run_baseline(small), args.repeat)
        if ours_small != baseline:
            sys.exit(f"ours {ours_small} and the baseline {baseline} disagree")
        pacing = asyncio.run(measure_pacing(paced, speed=1.0))

    ours_rate = ours_events / ours_seconds
    ours_small_rate = ours_small[0] / ours_small_seconds
    base_rate = baseline[0] / base_seconds
    rows = [
        ("ours (msgspec, replayer, 1m candles)", ours_events, ours_seconds, ours_rate),
        ("ours, baseline-sized input", ours_small[0], ours_small_seconds, ours_small_rate),
        ("baseline (json + pydantic + dicts)", baseline[0], base_seconds, base_rate),
    ]
    print(f"input: {args.messages:,} Binance trade frames, {size_mb:.1f} MB gzip, 3 symbols")
    print(f"{'path':<40} {'events':>9} {'seconds':>8} {'events/s':>11}")
    for name, events, seconds, rate in rows:
        print(f"{name:<40} {events:>9,} {seconds:>8.3f} {rate:>11,.0f}")
    print(f"speed-up over the baseline (same input): {ours_small_rate / base_rate:.1f}x")
    print(
        f"1x pacing over {pacing.messages} messages ({args.pacing_seconds:.0f} s): "
        f"p50 {pacing.p50_ms:.3f} ms, p99 {pacing.p99_ms:.3f} ms, max {pacing.max_ms:.3f} ms"
    )
    print(
        json.dumps(
            {
                "bench": "replay",
                "messages": ours_events,
                "ours_events_per_second": round(ours_rate),
                "baseline_events_per_second": round(base_rate),
                "ours_same_input_events_per_second": round(ours_small_rate),
                "speedup": round(ours_small_rate / base_rate, 2),
                "closed_candles": ours_closed,
                "pacing_messages": pacing.messages,
                "pacing_p50_ms": round(pacing.p50_ms, 3),
                "pacing_p99_ms": round(pacing.p99_ms, 3),
                "pacing_max_ms": round(pacing.max_ms, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
