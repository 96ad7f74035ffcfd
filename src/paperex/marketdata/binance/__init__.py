"""Binance spot adapter: wire schemas, pure parsers, stream and REST clients, the depth feed."""

from paperex.marketdata.binance.parse import parse_message
from paperex.marketdata.feed import register_parser

VENUE = "binance"

register_parser(VENUE, parse_message)

__all__ = ["VENUE", "parse_message"]
