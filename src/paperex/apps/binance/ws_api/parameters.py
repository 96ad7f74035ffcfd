"""A WebSocket API request's ``params`` (JSON values) as the strings REST would have received,
so that the same ``QueryReader`` reads them, and the payloads a client may have signed.

Numbers keep the text the client wrote (``0.01000000`` stays so), booleans are ``true`` and
``false`` (ccxt signs ``returnRateLimits=false``), arrays and objects their compact JSON (as
``symbols=["BTCUSDT"]`` arrives over REST), and null an empty value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import msgspec

SIGNATURE = "signature"

request_decoder = msgspec.json.Decoder(float_hook=str)
"""Decodes a request frame with JSON fractions kept as their text."""


def rest_value(value: Any) -> str:
    """``value`` as REST would have carried it in a query string."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def rest_parameters(params: Mapping[str, Any]) -> dict[str, str]:
    """Every parameter as its REST string."""
    return {name: rest_value(value) for name, value in params.items()}


def signed_payloads(parameters: Mapping[str, str]) -> tuple[bytes, ...]:
    """The bytes a client signed: every parameter but ``signature``, sorted by name, as
    ``name=value`` joined by ``&``; Binance's documents sign the values as they are (ccxt does
    so), python-binance percent-encodes them (``urlencode``): both forms, once when equal."""
    items = sorted((name, value) for name, value in parameters.items() if name != SIGNATURE)
    plain = "&".join(f"{name}={value}" for name, value in items).encode()
    encoded = urlencode(items).encode()
    return (plain,) if plain == encoded else (plain, encoded)
