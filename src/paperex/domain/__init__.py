"""Pure value types shared by every layer: no Django, no I/O."""

from paperex.domain.instrument import Instrument, OffGridError
from paperex.domain.side import Side

__all__ = ["Instrument", "OffGridError", "Side"]
