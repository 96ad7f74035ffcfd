"""The WebSocket API's frames (Binance's web-socket-api.md, "Request format", "Response
format", "Rate limits"): a request ``{"id", "method", "params"}``; a response ``{"id",
"status", "result" | "error", "rateLimits"}``; a user data stream event ``{"subscriptionId",
"event"}``.

Binance does not document its answer to a frame that is no request or names no method it has;
Paperex answers a frame that is not a JSON object (or whose ``id`` or ``params`` is malformed)
400 -1102 naming the field, with ``id`` null when it could not be read, and a method it does
not have 400 -1020 "This operation is not supported.", the answer of its REST paths that do not
exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

from paperex.apps.binance import wire
from paperex.apps.binance.errors import (
    BinanceError,
    mandatory_parameter_missing,
    unsupported_operation,
)
from paperex.apps.binance.weights import weight_rate
from paperex.apps.binance.ws_api.parameters import request_decoder
from paperex.support.rate_window import Rate

RequestId = int | str | None
VERSION_PREFIX = "v3/"
MAX_ID_CHARS = 36


@dataclass(frozen=True)
class Request:
    """One request frame: its id, its method (without a ``v3/`` prefix) and its params."""

    id: RequestId
    method: str
    params: dict[str, Any]


class RequestError(Exception):
    """A frame refused before its method ran: the error and the id to answer with."""

    def __init__(self, request_id: RequestId, error: BinanceError) -> None:
        super().__init__(error.message)
        self.request_id = request_id
        self.error = error


def request_of(text: str) -> Request:
    """The request of a text frame; raises RequestError."""
    try:
        frame = request_decoder.decode(text)
    except msgspec.DecodeError as malformed:
        raise RequestError(None, malformed_frame()) from malformed
    if not isinstance(frame, dict):
        raise RequestError(None, malformed_frame())
    request_id = frame.get("id")
    if not (
        request_id is None
        or (isinstance(request_id, int) and not isinstance(request_id, bool))
        or (isinstance(request_id, str) and len(request_id) <= MAX_ID_CHARS)
    ):
        raise RequestError(None, mandatory_parameter_missing("id"))
    method = frame.get("method")
    if not isinstance(method, str) or not method:
        raise RequestError(request_id, mandatory_parameter_missing("method"))
    params = frame.get("params", {})
    if not isinstance(params, dict):
        raise RequestError(request_id, mandatory_parameter_missing("params"))
    return Request(request_id, method.removeprefix(VERSION_PREFIX), params)


def malformed_frame() -> BinanceError:
    """What a frame that is no JSON request (binary, too long, not an object) gets."""
    return mandatory_parameter_missing("id")


def method_unknown() -> BinanceError:
    """What a method Paperex does not have gets."""
    return unsupported_operation()


def rate_limit_count(kind: str, rate: Rate, count: int) -> dict[str, Any]:
    """One entry of ``rateLimits``."""
    return {**wire.rate_limit(kind, rate), "count": count}


def rate_limits(weight_used: int, order_counts: list[tuple[Rate, int]]) -> list[dict[str, Any]]:
    """The ``rateLimits`` block: the user's ORDERS counts (order placements only), then the
    address's REQUEST_WEIGHT of the minute."""
    return [
        *(rate_limit_count("ORDERS", rate, count) for rate, count in order_counts),
        rate_limit_count("REQUEST_WEIGHT", weight_rate(), weight_used),
    ]


def success(
    request_id: RequestId, result: Any, limits: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """A response with ``result`` (and ``rateLimits`` unless None)."""
    response: dict[str, Any] = {"id": request_id, "status": 200, "result": result}
    if limits is not None:
        response["rateLimits"] = limits
    return response


def failure(
    request_id: RequestId,
    status: int,
    error: dict[str, Any],
    limits: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """A response with ``error`` (``{"code", "msg"}``, and ``data`` for some)."""
    response: dict[str, Any] = {"id": request_id, "status": status, "error": error}
    if limits is not None:
        response["rateLimits"] = limits
    return response


def event(subscription_id: int, payload: dict[str, Any]) -> dict[str, Any]:
    """A user data stream event of one subscription."""
    return {"subscriptionId": subscription_id, "event": payload}
