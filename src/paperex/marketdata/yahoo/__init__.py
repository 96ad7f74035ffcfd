"""Yahoo Finance stock quotes polled through ``yfinance`` in a thread."""

from paperex.marketdata.feed import register_parser
from paperex.marketdata.yahoo.parse import VENUE, parse_message

register_parser(VENUE, parse_message)

__all__ = ["VENUE", "parse_message"]
