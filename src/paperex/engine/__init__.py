"""Pure matching engine and risk: no Django, no I/O.

``MatchingEngine.process(command) -> list[Event]`` is the whole interface for writes; see
``paperex.engine.core`` for the semantics and ``paperex.engine.market`` for the integer scales.
Which build runs, mypyc-compiled or pure Python, is decided first, by ``PAPEREX_ENGINE``
(``paperex.support.compiled_build``). Reading the environment here is the engine's one departure
from "no I/O": the choice must come before the first engine module loads, whoever imports it.
"""

import os
from pathlib import Path

from paperex.support.compiled_build import choose_build

INTERPRETED = frozenset({"__init__", "snapshot"})
"""Never compiled (setup.py): the package, and ``snapshot``'s msgspec Struct."""
BUILD = choose_build(
    __name__,
    Path(__file__).parent,
    interpreted=INTERPRETED,
    variable="PAPEREX_ENGINE",
    setting=os.environ.get("PAPEREX_ENGINE", "auto"),
)

from paperex.engine.core import MatchingEngine
from paperex.engine.decimal_edge import place_order_from_decimals
from paperex.engine.ledger import balances_from_ledger
from paperex.engine.reference import reference_book_command, reference_trade_command
from paperex.engine.snapshot import EngineSnapshot

__all__ = [
    "BUILD",
    "EngineSnapshot",
    "MatchingEngine",
    "balances_from_ledger",
    "place_order_from_decimals",
    "reference_book_command",
    "reference_trade_command",
]
