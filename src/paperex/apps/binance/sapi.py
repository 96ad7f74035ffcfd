"""Harmless answers to the ``/sapi`` calls ccxt makes by default when it loads markets with API
keys (currencies, margin pairs) and to its status and fee look-ups. Paperex has no wallet or
margin, so the lists are empty; the answers reveal nothing private, so no signature is needed
(their signed parameters are taken and not read)."""

from __future__ import annotations

from paperex.apps.binance import wire
from paperex.apps.binance.endpoint import Answer, binance_endpoint
from paperex.apps.binance.parameters import QueryReader
from paperex.apps.binance.views import markets_of


@binance_endpoint(weight=10, strict=False)
def currencies(query: QueryReader) -> Answer:
    """``/sapi/v1/capital/config/getall``: no deposit or withdrawal networks."""
    return Answer([], 10)


@binance_endpoint(weight=1, strict=False)
def margin_pairs(query: QueryReader) -> Answer:
    """``/sapi/v1/margin/allPairs`` and ``isolated/allPairs``: no margin trading."""
    return Answer([], 1)


@binance_endpoint(weight=1, strict=False)
def system_status(query: QueryReader) -> Answer:
    """``/sapi/v1/system/status``: normal."""
    return Answer({"status": 0, "msg": "normal"}, 1)


@binance_endpoint(weight=1, strict=False)
def trade_fees(query: QueryReader) -> Answer:
    """``/sapi/v1/asset/tradeFee``: every market's (or ``symbol``'s) maker and taker rate."""
    symbol = query.symbol()
    markets = markets_of(None if symbol is None else [symbol])
    return Answer([wire.trade_fee(market) for market in markets], 1)
