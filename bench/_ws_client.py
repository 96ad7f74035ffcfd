"""A minimal WebSocket client for load: one asyncio Protocol per connection, frames parsed
straight from the byte stream, the event time found with ``bytes.find``. Cheap enough that
hundreds of thousands of frames a second do not make the clients the bottleneck.

Each frame whose JSON carries its protocol's time key (``"event_time":`` on Paperex's own
sockets, ``"E":`` on Binance's) with the µs since the epoch at which the event was sent counts
as delivered and adds its latency (receive time of the chunk minus that time) to a histogram of
0.1 ms buckets.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

BUCKET_US = 100
"""Latency histogram resolution."""
MAX_BUCKET = 100_000
"""10 s: everything later lands in the last bucket."""


def paperex_subscription(symbol: str, stream: str, number: int) -> bytes:
    """Paperex's ``/stream/`` request for one stream (also what the baseline app reads)."""
    return json.dumps({"action": "subscribe", "pair": symbol, "stream": stream}).encode()


def binance_subscription(symbol: str, stream: str, number: int) -> bytes:
    """Binance's SUBSCRIBE for one stream, request id ``number``."""
    name = f"{symbol.lower()}@{stream}"
    return json.dumps({"method": "SUBSCRIBE", "params": [name], "id": number}).encode()


@dataclass(frozen=True)
class StreamProtocol:
    """How a client of one socket design subscribes, and where a frame says when it was sent."""

    path: str
    streams: tuple[str, ...]
    """The streams each client follows of its market (each answered by one reply)."""
    time_key: bytes
    subscription: Callable[[str, str, int], bytes]

    def requests(self, symbol: str) -> list[bytes]:
        return [self.subscription(symbol, s, n) for n, s in enumerate(self.streams, 1)]


PAPEREX_STREAMS = StreamProtocol(
    "/stream/", ("trade", "ticker", "kline_1m"), b'"event_time":', paperex_subscription
)
BINANCE_STREAMS = StreamProtocol(
    "/ws", ("kline_1m", "ticker", "miniTicker"), b'"E":', binance_subscription
)
"""Binance's market streams fed by the market-data bus (its trade streams carry the exchange's
own trades, which come from the engine, not the bus)."""


def masked_frame(payload: bytes, opcode: int = 1) -> bytes:
    """A client frame (clients must mask) carrying ``payload``."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    masked = bytes(byte ^ mask[index & 3] for index, byte in enumerate(payload))
    return header + mask + masked


def upgrade_request(host: str, port: int, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


@dataclass
class Totals:
    """What the clients of one process saw."""

    histogram: list[int] = field(default_factory=lambda: [0] * (MAX_BUCKET + 1))
    delivered: int = 0
    last_receive_us: int = 0


class LoadClient(asyncio.Protocol):
    """One connection: upgrade, send ``requests``, then count frames."""

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        requests: Sequence[bytes],
        totals: Totals,
        time_key: bytes,
    ) -> None:
        self.request = upgrade_request(host, port, path)
        self.time_key = time_key
        self.requests = [masked_frame(r) for r in requests]
        self.totals = totals
        self.buffer = bytearray()
        self.upgraded = False
        self.replies = 0
        """Frames without an event time (acknowledgements)."""
        self.delivered = 0
        self.close_code: int | None = None
        self.lost = False
        self.transport: asyncio.Transport | None = None
        self.answered = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.answered.done():
            self.answered.set_exception(ConnectionError("closed before the upgrade"))

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[: buffer.find(b"\r\n")])
            del buffer[: end + 4]
            if b" 101 " not in status:
                self.answered.set_exception(ConnectionError(status.decode(errors="replace")))
                return
            self.upgraded = True
            self.answered.set_result(None)
            assert self.transport is not None
            self.transport.write(b"".join(self.requests))
        self._frames(buffer)

    def _frames(self, buffer: bytearray) -> None:
        now_us = time.time_ns() // 1000
        totals = self.totals
        histogram = totals.histogram
        position, size, delivered = 0, len(buffer), 0
        while size - position >= 2:
            length = buffer[position + 1] & 0x7F
            start = position + 2
            if length == 126:
                if size - position < 4:
                    break
                length = (buffer[position + 2] << 8) | buffer[position + 3]
                start += 2
            elif length == 127:
                if size - position < 10:
                    break
                length = int.from_bytes(buffer[position + 2 : position + 10], "big")
                start += 8
            end = start + length
            if end > size:
                break
            opcode = buffer[position] & 0x0F
            if opcode == 1:
                found = buffer.find(self.time_key, start, end)
                if found >= 0:
                    digits = found + len(self.time_key)
                    stop = buffer.find(b",", digits, end)
                    latency = now_us - int(buffer[digits:stop])
                    bucket = latency // BUCKET_US
                    histogram[bucket if 0 <= bucket < MAX_BUCKET else MAX_BUCKET] += 1
                    delivered += 1
                else:
                    self.replies += 1
            elif opcode == 8:
                self.close_code = (buffer[start] << 8) | buffer[start + 1] if length >= 2 else 1005
            elif opcode == 9 and self.transport is not None:
                self.transport.write(masked_frame(bytes(buffer[start:end]), opcode=10))
            position = end
        del buffer[:position]
        if delivered:
            self.delivered += delivered
            totals.delivered += delivered
            totals.last_receive_us = now_us

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


async def open_clients(
    host: str,
    port: int,
    protocol: StreamProtocol,
    requests: Sequence[Sequence[bytes]],
    totals: Totals,
) -> list[LoadClient]:
    """One client per entry of ``requests``, connected and upgraded (100 at a time)."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(100)

    async def connect(client_requests: Sequence[bytes]) -> LoadClient:
        async with gate:
            _, client = await loop.create_connection(
                lambda: LoadClient(
                    host, port, protocol.path, client_requests, totals, protocol.time_key
                ),
                host,
                port,
            )
            await asyncio.wait_for(client.answered, 30)
            return client

    return list(await asyncio.gather(*(connect(r) for r in requests)))


def percentile(histogram: Sequence[int], fraction: float) -> float:
    """The latency in ms below which ``fraction`` of the samples fall."""
    total = sum(histogram)
    if not total:
        return float("nan")
    wanted, seen = fraction * total, 0
    for bucket, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            return (bucket + 1) * BUCKET_US / 1000
    return MAX_BUCKET * BUCKET_US / 1000
