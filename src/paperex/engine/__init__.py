"""Pure matching engine and risk: no Django, no I/O.

``MatchingEngine.process(command) -> list[Event]`` is the whole interface for writes; see
``paperex.engine.core`` for the semantics and ``paperex.engine.market`` for the integer scales.
"""

from paperex.engine.core import MatchingEngine
from paperex.engine.decimal_edge import place_order_from_decimals
from paperex.engine.ledger import balances_from_ledger
from paperex.engine.reference import reference_book_command, reference_trade_command
from paperex.engine.snapshot import EngineSnapshot

__all__ = [
    "EngineSnapshot",
    "MatchingEngine",
    "balances_from_ledger",
    "place_order_from_decimals",
    "reference_book_command",
    "reference_trade_command",
]
