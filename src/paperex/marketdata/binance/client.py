"""Binance spot market streams over one combined-stream WebSocket.

The connection URL is ``<base_url>/stream?streams=<a>/<b>``, built from the current subscriptions
on every (re)connect, so a reconnect resubscribes everything; right after connecting, streams added
or removed meanwhile (or beyond ``MAX_STREAMS_IN_URL``) are sent as SUBSCRIBE/UNSUBSCRIBE. While
connected, ``subscribe`` and ``unsubscribe`` send live ``SUBSCRIBE``/``UNSUBSCRIBE`` requests with
ids and wait for the reply; control messages are paced under the venue's 5 messages per second.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
from collections.abc import AsyncIterator, Sequence
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection

from paperex.marketdata.binance.parse import VENUE, parse_message
from paperex.marketdata.binance.wire import EnvelopeWire
from paperex.marketdata.connection import (
    ConnectionOptions,
    NotConnectedError,
    ReconnectingWebSocket,
    parse_messages,
)
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Event
from paperex.marketdata.feed import FeedStatus, RawMessage
from paperex.support.backoff import RandomFraction, Sleep
from paperex.support.clock import ClockMs, wall_clock_ms

DEFAULT_STREAM_URL = "wss://stream.binance.com:9443"
MAX_STREAMS_IN_URL = 200
"""More streams than this are subscribed with a SUBSCRIBE right after connecting."""
_ENVELOPE = msgspec.json.Decoder(EnvelopeWire)
_DATA_PREFIXES = (b'{"stream":', b'{"e":', b"[")


class BinanceRequestError(Exception):
    """The venue rejected a control request (``{"code", "msg"}``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)


def stream_name(name: str) -> str:
    """``BTCUSDT@aggTrade`` -> ``btcusdt@aggTrade``: Binance wants lowercase symbols.

    Names starting with ``!`` (``!miniTicker@arr``) are kept as they are.
    """
    if name.startswith("!"):
        return name
    symbol, at, rest = name.partition("@")
    return symbol.lower() + at + rest


class BinanceStreamClient:
    """A ``Feed`` of Binance market streams (trade, aggTrade, kline_<i>, ticker, depth, ...)."""

    venue = VENUE

    def __init__(
        self,
        streams: Sequence[str] = (),
        *,
        base_url: str = DEFAULT_STREAM_URL,
        options: ConnectionOptions | None = None,
        control_interval: float = 0.25,
        clock_ms: ClockMs = wall_clock_ms,
        random_fraction: RandomFraction = random.random,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Streams to start with; ``base_url`` without a path (tests use ``ws://127.0.0.1:N``).

        ``control_interval`` is the least time in seconds between two control messages.
        """
        self._base_url = base_url.rstrip("/")
        self._streams: dict[str, None] = dict.fromkeys(stream_name(name) for name in streams)
        self._control_interval = control_interval
        self._last_control_at = float("-inf")
        self._request_ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._streams_in_url: list[str] = []
        self.malformed_frames = 0
        """Frames that were not JSON or not a known shape, seen by the client itself."""
        """Frames ``events`` could not parse."""
        self._connection = ReconnectingWebSocket(
            url=self._connect_url,
            on_open=self._catch_up_subscriptions,
            on_frame=self._see_frame,
            on_disconnect=self._fail_pending,
            options=options,
            clock_ms=clock_ms,
            random_fraction=random_fraction,
            sleep=sleep,
        )
        self._options = self._connection.options

    @property
    def status(self) -> FeedStatus:
        """Connection state, connected/stale since, last error and reconnect count."""
        return self._connection.status

    @property
    def streams(self) -> list[str]:
        """The streams subscribed (or to subscribe on the next connect), in order."""
        return list(self._streams)

    def url(self) -> str:
        """The combined-stream URL the next connection uses (without streams beyond the cap)."""
        streams = list(self._streams)[:MAX_STREAMS_IN_URL]
        if not streams:
            return f"{self._base_url}/stream"
        return f"{self._base_url}/stream?streams={'/'.join(streams)}"

    def _connect_url(self) -> str:
        self._streams_in_url = list(self._streams)[:MAX_STREAMS_IN_URL]
        return self.url()

    async def _catch_up_subscriptions(self, connection: ClientConnection) -> None:
        """Streams changed while connecting, or too many for the URL: fix them up now."""
        in_url = set(self._streams_in_url)
        for method, names in (
            ("SUBSCRIBE", [name for name in self._streams if name not in in_url]),
            ("UNSUBSCRIBE", [name for name in in_url if name not in self._streams]),
        ):
            if names:
                request = {"method": method, "params": names, "id": next(self._request_ids)}
                await connection.send(json.dumps(request))

    def start(self) -> None:
        """Start connecting in the background."""
        self._connection.start()

    def raw_messages(self) -> AsyncIterator[RawMessage]:
        """Frames as received (data and control replies), across reconnects, until ``close``."""
        return self._connection.raw_messages()

    def events(self) -> AsyncIterator[Event]:
        """Parsed events; malformed frames are counted and kept as ``status.last_error``."""
        return parse_messages(self.raw_messages(), parse_message, self.status)

    async def subscribe(self, streams: Sequence[str]) -> None:
        """Add streams; live when connected, else on the next connect.

        Raises BinanceRequestError (and forgets the streams) when the venue rejects them, and
        TimeoutError when no reply comes in time (the streams stay for the next connect).
        """
        new = [name for name in map(stream_name, streams) if name not in self._streams]
        if not new:
            return
        self._streams.update(dict.fromkeys(new))
        try:
            await self._request_if_connected("SUBSCRIBE", new)
        except BinanceRequestError:
            for name in new:
                self._streams.pop(name, None)
            raise

    async def unsubscribe(self, streams: Sequence[str]) -> None:
        """Remove streams; raises BinanceRequestError or TimeoutError like ``subscribe``."""
        gone = [name for name in map(stream_name, streams) if name in self._streams]
        for name in gone:
            del self._streams[name]
        if gone:
            await self._request_if_connected("UNSUBSCRIBE", gone)

    async def list_subscriptions(self) -> list[str]:
        """The venue's own list of this connection's streams.

        Raises NotConnectedError between connections, TimeoutError, BinanceRequestError.
        """
        result = await self._request("LIST_SUBSCRIPTIONS", None)
        return [str(name) for name in result or []]

    async def close(self) -> None:
        """Close the connection; ``raw_messages`` then ends."""
        await self._connection.close()
        self._fail_pending()

    async def _request_if_connected(self, method: str, params: list[str]) -> None:
        with contextlib.suppress(NotConnectedError):  # the next connection's URL carries them
            await self._request(method, params)

    async def _request(self, method: str, params: list[str] | None) -> Any:
        request_id = next(self._request_ids)
        message: dict[str, Any] = {"method": method, "id": request_id}
        if params is not None:
            message["params"] = params
        await self._pace_control_messages()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._connection.send(json.dumps(message))
            async with asyncio.timeout(self._options.request_timeout):
                return await future
        finally:
            self._pending.pop(request_id, None)

    async def _pace_control_messages(self) -> None:
        loop = asyncio.get_running_loop()
        wait = self._last_control_at + self._control_interval - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_control_at = loop.time()

    def _see_frame(self, payload: bytes) -> None:
        """Settle control replies; data frames pass untouched (the hot path)."""
        if payload.startswith(_DATA_PREFIXES):
            return
        try:
            envelope = _ENVELOPE.decode(payload)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            self.malformed_frames += 1
            self.status.last_error = str(ParseError(VENUE, str(error), payload))
            return
        if not envelope.is_control:
            return
        error_text = envelope.error_text
        if error_text is not None:
            self.status.last_error = error_text
        future = self._pending.get(envelope.id) if isinstance(envelope.id, int) else None
        if future is None and error_text is not None and self._pending:
            future = next(iter(self._pending.values()))  # an error without an id: the oldest
        if future is None or future.done():
            return
        if error_text is not None:
            future.set_exception(BinanceRequestError(error_text))
        else:
            future.set_result(msgspec.json.decode(envelope.result) if envelope.result else None)

    def _fail_pending(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(NotConnectedError("connection lost before the reply"))
