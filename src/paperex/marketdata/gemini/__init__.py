"""Gemini v2 market-data adapter: wire schemas, parser (local book sequence), WebSocket client."""

from paperex.marketdata.feed import register_parser
from paperex.marketdata.gemini.parse import VENUE, GeminiParser

default_parser = GeminiParser()
"""The registered parser; a feed or replay that wants its own sequence uses its own instance."""

register_parser(VENUE, default_parser)

__all__ = ["VENUE", "GeminiParser", "default_parser"]
