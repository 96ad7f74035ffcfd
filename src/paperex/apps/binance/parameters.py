"""A request's query parameters read the way Binance reads them: each mandatory one present and
non-empty, integers and symbols checked against Binance's legal patterns, and no parameter left
unread (``-1104``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from paperex.apps.binance.errors import (
    LEGAL_DECIMAL,
    LEGAL_INTEGER,
    LEGAL_SYMBOL,
    LEGAL_SYMBOLS,
    bad_parameter_combination,
    duplicate_symbols,
    illegal_characters,
    invalid_parameter_value,
    mandatory_parameter_missing,
    parameter_empty,
    parameters_not_read,
)

_INTEGER = re.compile(LEGAL_INTEGER)
DECIMAL_PATTERN = re.compile(LEGAL_DECIMAL)
SYMBOL_PATTERN = re.compile(LEGAL_SYMBOL)


class SymbolSelection(NamedTuple):
    """The symbols a request names (None: every market); ``single`` when it named one with
    ``symbol``, whose answer is one object rather than a list."""

    symbols: list[str] | None
    single: bool

    @property
    def symbol_count(self) -> int | None:
        """How many symbols were named; None for every market."""
        return None if self.symbols is None else len(self.symbols)


class QueryReader:
    """Reads a request's parameters (its query, or the merged query and body of a signed
    request) by name and remembers which it has read."""

    def __init__(self, query: Mapping[str, str]) -> None:
        self._query = query
        self._read: set[str] = set()

    def text(self, name: str) -> str | None:
        """The parameter's value, or None when it was not sent; raises -1105 when empty."""
        self._read.add(name)
        value = self._query.get(name)
        if value is None:
            return None
        if value == "":
            raise parameter_empty(name)
        return value

    def required_text(self, name: str) -> str:
        """The parameter's value; raises -1102 when it was not sent, -1105 when empty."""
        value = self.text(name)
        if value is None:
            raise mandatory_parameter_missing(name)
        return value

    def integer(self, name: str) -> int | None:
        """The parameter as a whole number, or None; raises -1100 for anything but digits."""
        value = self.text(name)
        if value is None:
            return None
        if not _INTEGER.match(value):
            raise illegal_characters(name, LEGAL_INTEGER)
        return int(value)

    def decimal(self, name: str) -> Decimal | None:
        """The parameter as a decimal amount, or None; raises -1100 for anything but digits
        with an optional fraction."""
        value = self.text(name)
        if value is None:
            return None
        if not DECIMAL_PATTERN.match(value):
            raise illegal_characters(name, LEGAL_DECIMAL)
        return Decimal(value)

    def mark_read(self, *names: str) -> None:
        """Count ``names`` as read (parameters checked elsewhere, as a signed request's)."""
        self._read.update(names)

    def limit(self, *, default: int, largest: int) -> int:
        """``limit``: ``default`` when not sent, at most ``largest`` (a larger one is cut to it,
        as Binance does with a depth's); raises -1130 for 0."""
        value = self.integer("limit")
        if value is None:
            return default
        if value < 1:
            raise invalid_parameter_value("limit")
        return min(value, largest)

    def symbol(self) -> str | None:
        """``symbol`` checked against Binance's symbol pattern, or None when not sent."""
        value = self.text("symbol")
        if value is not None and not SYMBOL_PATTERN.match(value):
            raise illegal_characters("symbol", LEGAL_SYMBOL)
        return value

    def required_symbol(self) -> str:
        """``symbol``; raises -1102 when it was not sent."""
        value = self.symbol()
        if value is None:
            raise mandatory_parameter_missing("symbol")
        return value

    def symbol_selection(self) -> SymbolSelection:
        """The symbols asked for by ``symbol`` (one) or ``symbols`` (a JSON array), or every
        market; raises -1128 for both, -1100 for a malformed array, -1151 for a repeat."""
        single = self.symbol()
        listed = self.text("symbols")
        if single is not None and listed is not None:
            raise bad_parameter_combination()
        if single is not None:
            return SymbolSelection([single], single=True)
        if listed is None:
            return SymbolSelection(None, single=False)
        symbols = _symbol_array(listed)
        if len(set(symbols)) != len(symbols):
            raise duplicate_symbols()
        return SymbolSelection(symbols, single=False)

    def ensure_all_read(self) -> None:
        """Raises -1104 when the query has a parameter that nothing read."""
        sent = set(self._query)
        if not sent <= self._read:
            raise parameters_not_read(len(sent & self._read), len(sent))


def _symbol_array(text: str) -> list[str]:
    try:
        symbols = json.loads(text)
    except ValueError as malformed:
        raise illegal_characters("symbols", LEGAL_SYMBOLS) from malformed
    if not isinstance(symbols, list) or not all(
        isinstance(symbol, str) and SYMBOL_PATTERN.match(symbol) for symbol in symbols
    ):
        raise illegal_characters("symbols", LEGAL_SYMBOLS)
    return symbols
