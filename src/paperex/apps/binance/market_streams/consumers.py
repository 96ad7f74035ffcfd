"""``WS /ws``, ``/ws/<stream>`` (raw frames) and ``/stream?streams=a/b`` (combined frames):
Binance's market streams, with its live ``SUBSCRIBE``/``UNSUBSCRIBE``/``LIST_SUBSCRIPTIONS``
and ``SET_PROPERTY``/``GET_PROPERTY`` ``combined`` requests, replies, errors and limits."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from paperex.apps.binance.market_streams.exchange_groups import exchange_groups
from paperex.apps.binance.market_streams.names import combined_topic, raw_topic, stream_name
from paperex.apps.binance.market_streams.publisher import exchange_trade_published
from paperex.apps.binance.market_streams.tradable_book import tradable_books
from paperex.apps.core.groups import trades_group
from paperex.apps.streams.consumers.base import FLOODING_CLOSE_CODE, HubConsumer

MAX_STREAMS = 1024
"""Streams one connection may follow, as on Binance."""
MESSAGES_PER_SECOND = 5
"""Requests a connection may send a second, as on Binance."""
METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9]{1,36}$")
INVALID_ID = "Invalid request: request ID must be an unsigned integer"
TRADE_STREAMS = ("@trade", "@aggTrade")
BOOK_STREAMS = ("depth", "bookTicker")


class RequestError(Exception):
    """A request Binance refuses: its error code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _valid_id(request_id: object) -> bool:
    if request_id is None:
        return True
    if isinstance(request_id, bool):
        return False
    if isinstance(request_id, int):
        return -(2**63) <= request_id < 2**63
    return isinstance(request_id, str) and _REQUEST_ID.match(request_id) is not None


def _stream_names(params: object) -> list[str]:
    if not isinstance(params, list):
        raise RequestError(2, "Invalid request: params must be an array of stream names")
    names = [stream_name(param) for param in params]
    if None in names:
        raise RequestError(2, "Invalid request: invalid stream")
    return [name for name in names if name is not None]


class MarketStreamsConsumer(HubConsumer):
    """A Binance market-streams connection; raw frames unless ``combined`` is set."""

    messages_per_second = MESSAGES_PER_SECOND
    combined = False

    async def connect(self) -> None:
        await self.accept()
        await self.start_outbound()
        self.streams: set[str] = set()
        requested = self._requested_streams()
        names = [stream_name(name) for name in requested]
        if None in names or len(names) > MAX_STREAMS:
            await self.refuse(
                self._error(RequestError(2, "Invalid request: invalid stream"), None),
                FLOODING_CLOSE_CODE,
            )
            return
        await self._follow_streams([name for name in names if name is not None])

    def _requested_streams(self) -> list[str]:
        """The streams named in the path: none for a name without ``@`` (ccxt's ``/ws/0``)."""
        path = str(self.scope["url_route"]["kwargs"].get("streams", ""))
        return [name for name in path.split("/") if "@" in name]

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        request = await self.decode_request(text_data)
        if request is None:
            return
        request_id = request.get("id")
        try:
            result = await self._answer(request)
        except RequestError as error:
            self.reply(self._error(error, request_id if _valid_id(request_id) else None))
            return
        self.reply({"result": result, "id": request_id})

    async def _answer(self, request: dict[str, Any]) -> Any:
        if "method" not in request:
            raise RequestError(2, "Invalid request: missing field `method`")
        method = request["method"]
        if method not in METHODS:
            raise RequestError(
                2,
                f"Invalid request: unknown variant `{method}`, expected one of "
                + ", ".join(f"`{name}`" for name in METHODS),
            )
        if not _valid_id(request.get("id")):
            raise RequestError(2, INVALID_ID)
        params = request.get("params", [])
        if method == "SUBSCRIBE":
            names = _stream_names(params)
            if len(self.streams | set(names)) > MAX_STREAMS:
                raise RequestError(
                    2, f"Invalid request: too many streams, at most {MAX_STREAMS} a connection"
                )
            await self._follow_streams(names)
            return None
        if method == "UNSUBSCRIBE":
            for name in _stream_names(params):
                self.unfollow(self._topic(name))
                self.streams.discard(name)
            return None
        if method == "LIST_SUBSCRIPTIONS":
            return sorted(self.streams)
        return self._property(method, params)

    def _property(self, method: str, params: object) -> Any:
        if not isinstance(params, list) or not params:
            raise RequestError(2, "Invalid request: property name must be a string")
        name, *values = params
        if not isinstance(name, str):
            raise RequestError(2, "Invalid request: property name must be a string")
        if name != "combined":
            raise RequestError(0, "Unknown property")
        if method == "GET_PROPERTY":
            if values:
                raise RequestError(2, "Invalid request: too many parameters")
            return self.combined
        if len(values) != 1 or not isinstance(values[0], bool):
            raise RequestError(1, "Invalid value type: expected Boolean")
        for stream in self.streams:
            self.unfollow(self._topic(stream))
        self.combined = values[0]
        for stream in self.streams:
            self.follow(self._topic(stream))
        return None

    async def _follow_streams(self, names: list[str]) -> None:
        for name in names:
            symbol, _, stream = name.partition("@")
            if name.endswith(TRADE_STREAMS):
                await exchange_groups.join(
                    trades_group(symbol.upper()), "market.trade", exchange_trade_published
                )
            elif stream.startswith(BOOK_STREAMS):
                await tradable_books.follow(symbol.upper())
            self.follow(self._topic(name))
            self.streams.add(name)

    def _topic(self, name: str) -> str:
        return combined_topic(name) if self.combined else raw_topic(name)

    def _error(self, error: RequestError, request_id: object) -> dict[str, Any]:
        return {"error": {"code": error.code, "msg": error.message}, "id": request_id}

    def error_frame(self, message: str, *, malformed: str | None = None) -> dict[str, Any]:
        if malformed is not None:
            return self._error(RequestError(3, f"Invalid JSON: {malformed}"), None)
        return self._error(RequestError(2, f"Invalid request: {message}"), None)


class CombinedStreamsConsumer(MarketStreamsConsumer):
    """``/stream?streams=a/b/c``: combined frames, ``{"stream": <name>, "data": <payload>}``."""

    combined = True

    def _requested_streams(self) -> list[str]:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        return [name for value in query.get("streams", []) for name in value.split("/") if name]
