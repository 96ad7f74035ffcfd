"""Recorded Yahoo quote messages to Quote events."""

from __future__ import annotations

import msgspec

from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Event, Quote
from paperex.marketdata.feed import RawMessage
from paperex.marketdata.yahoo.wire import QuoteWire

VENUE = "yahoo"
_QUOTE = msgspec.json.Decoder(QuoteWire)


def encode_quote(wire: QuoteWire) -> bytes:
    """The raw message bytes of a quote (the price as an exact decimal string)."""
    return msgspec.json.encode(wire)


def parse_message(message: RawMessage) -> list[Event]:
    """The Quote of one message; raises ParseError when malformed or the price is not positive."""
    try:
        wire = _QUOTE.decode(message.payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ParseError(VENUE, str(error), message.payload) from None
    if not wire.price.is_finite() or wire.price <= 0:
        raise ParseError(VENUE, f"price {wire.price} is not a positive number", message.payload)
    return [
        Quote(
            venue=VENUE,
            symbol=wire.symbol,
            event_time=wire.time,
            received_at=message.received_at,
            price=wire.price,
            currency=wire.currency,
        )
    ]
