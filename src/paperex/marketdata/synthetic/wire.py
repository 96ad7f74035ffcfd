"""The synthetic venue's wire format: a raw message is the msgspec JSON of one event."""

from __future__ import annotations

import msgspec

from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import Event
from paperex.marketdata.feed import RawMessage
from paperex.marketdata.synthetic.market import VENUE

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Event)


def encode_event(event: Event) -> bytes:
    """The event's JSON bytes, as the synthetic feed sends them."""
    return _encoder.encode(event)


def parse_message(message: RawMessage) -> list[Event]:
    """The one event in ``message``, with its receive time; raises ParseError when malformed."""
    try:
        event = _decoder.decode(message.payload)
    except msgspec.DecodeError as error:
        raise ParseError(VENUE, str(error), message.payload) from None
    if event.received_at != message.received_at:
        event = msgspec.structs.replace(event, received_at=message.received_at)
    return [event]
