"""The matching engine: commands in, events out, deterministic for a given command sequence.

Price-time priority per market over integer ticks and lots; balances in integer asset units
(see ``paperex.engine.market`` for the scales). Nothing here reads a clock, generates random
ids or does I/O: time is the ``timestamp`` of each command and ids come from counters that a
snapshot carries across restarts.

This module is the public face; each command has its own module of plain functions over the
``EngineState``: ``placement``, ``amendment``, ``cancellation``, ``transfers`` and
``paper_fills`` (reference feed), built on ``matching``, ``settlement`` (fills and their
money), ``lifecycle`` (rest, expire, cancel) and ``stop_triggers``; ``restore`` converts to and
from an ``EngineSnapshot``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from paperex.domain.asset import Asset
from paperex.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    Deposit,
    EngineCommand,
    PlaceOrder,
    RecordReferenceTrade,
    ResetAccount,
    UpdateReferenceBook,
    Withdraw,
)
from paperex.domain.events import Event
from paperex.domain.market_spec import MarketSpec
from paperex.domain.records import BalanceRecord, OpenOrder
from paperex.engine.amendment import amend
from paperex.engine.cancellation import by_order_id, cancel, cancel_all
from paperex.engine.paper_fills import record_reference_trade, update_reference_book
from paperex.engine.placement import place
from paperex.engine.restore import load_snapshot, take_snapshot
from paperex.engine.snapshot import EngineSnapshot
from paperex.engine.state import EngineState
from paperex.engine.transfers import deposit, reset, withdraw

_AMEND_ORDER: Final = AmendOrder
"""``AmendOrder`` as a C static under mypyc (see ``paperex.engine.event_types``)."""
_HANDLERS: Final[dict[type[Any], Callable[[EngineState, Any], None]]] = {
    PlaceOrder: place,
    CancelOrder: cancel,
    CancelAllOrders: cancel_all,
    AmendOrder: amend,
    Deposit: deposit,
    Withdraw: withdraw,
    ResetAccount: reset,
    UpdateReferenceBook: update_reference_book,
    RecordReferenceTrade: record_reference_trade,
}


class MatchingEngine:
    """Order books, stops, reference books and balances for a set of markets.

    Build it empty with ``MatchingEngine(assets=..., markets=...)`` or from persisted state with
    ``MatchingEngine.restore(...)``; feed it commands with ``process``.
    """

    __slots__ = ("_state",)

    def __init__(
        self,
        *,
        assets: Iterable[Asset],
        markets: Iterable[MarketSpec],
        fee_account_id: int = 0,
    ) -> None:
        self._state = EngineState(assets, markets, fee_account_id)

    # ----------------------------------------------------------------- writes

    def process(self, command: EngineCommand) -> list[Event]:
        """The events ``command`` causes, in order; raises TypeError for a non-command.

        Refusals are events (OrderRejected, CancelRejected, ...), never exceptions. Every
        ledger entry is followed, at the end, by one BalanceChanged per balance it touched.
        """
        state = self._state
        if type(command) is _AMEND_ORDER:  # 82% of a busy exchange's traffic: no table lookup
            events = state.begin(command.timestamp)
            amend(state, command)
        else:
            handler = _HANDLERS.get(type(command))
            if handler is None:
                raise TypeError(f"not an engine command: {command!r}")
            events = state.begin(command.timestamp)
            handler(state, command)
        accounts = state.accounts
        if accounts.touched:
            accounts.flush()
        return events

    @classmethod
    def restore(
        cls,
        *,
        assets: Iterable[Asset],
        markets: Iterable[MarketSpec],
        snapshot: EngineSnapshot,
        fee_account_id: int = 0,
    ) -> MatchingEngine:
        """An engine holding ``snapshot``'s open orders and balances, ready to continue.

        Orders return to their levels in ``priority`` order. Raises ValueError when the
        snapshot is inconsistent: an unknown market or asset, a MARKET order that could not be
        open, or locked balances that differ from what the open orders hold.
        """
        engine = cls(assets=assets, markets=markets, fee_account_id=fee_account_id)
        load_snapshot(engine._state, snapshot)
        return engine

    def snapshot(self) -> EngineSnapshot:
        """Everything ``restore`` needs to rebuild this engine's state."""
        return take_snapshot(self._state)

    # ----------------------------------------------------------------- reads

    def balance(self, user_id: int, asset: str) -> BalanceRecord:
        """The balance of ``user_id`` in ``asset`` (zero when never touched)."""
        balance = self._state.accounts.balances.get((user_id, asset))
        if balance is None:
            return BalanceRecord(user_id=user_id, asset=asset, free=0, locked=0)
        return balance.record()

    def balances(self) -> list[BalanceRecord]:
        """Every balance ever touched, including the fee account's, by (user id, asset)."""
        return [balance.record() for _, balance in sorted(self._state.accounts.balances.items())]

    @property
    def market_specs(self) -> list[MarketSpec]:
        """The specs of the markets this engine runs, by symbol."""
        return [market.spec for _, market in sorted(self._state.markets.items())]

    @property
    def fee_account_id(self) -> int:
        """The user id whose free balances collect the fees."""
        return self._state.accounts.fee_account_id

    def order(self, order_id: int) -> OpenOrder | None:
        """The open order ``order_id``, or None when it is unknown or no longer open."""
        order = self._state.orders.get(order_id)
        return None if order is None else order.record()

    def open_orders(self, user_id: int | None = None, symbol: str | None = None) -> list[OpenOrder]:
        """Open orders (resting and untriggered stops), optionally of one user and market."""
        return [
            order.record()
            for order in sorted(self._state.orders.values(), key=by_order_id)
            if (user_id is None or order.user_id == user_id)
            and (symbol is None or order.symbol == symbol)
        ]

    def depth(self, symbol: str, limit: int = 100) -> tuple[list[tuple[int, int]], ...]:
        """(bids, asks) of the users' book, best first, as (price, quantity); KeyError if
        ``symbol`` is unknown."""
        market = self._state.markets[symbol]
        return market.bids.depth(limit), market.asks.depth(limit)

    def reference_depth(self, symbol: str, limit: int = 100) -> tuple[list[tuple[int, int]], ...]:
        """(bids, asks) of the reference book as paper fills left it; empty when not paper."""
        reference = self._state.markets[symbol].reference
        if reference is None:
            return [], []
        bids = list(reference.bids.levels_best_first())[:limit]
        asks = list(reference.asks.levels_best_first())[:limit]
        return bids, asks

    def validate_internal_state(self) -> None:
        """Raise InternalStateError when the engine's structures disagree
        with each other: a bug, for tests to catch after each command."""
        self._state.validate_internal_state()

    def markets_not_ready(self) -> list[str]:
        """The markets that wait for their reference market since the engine started (they
        refuse liquidity-taking orders with MARKET_NOT_READY), sorted."""
        return sorted(symbol for symbol, market in self._state.markets.items() if not market.ready)

    def last_price(self, symbol: str) -> int | None:
        """The last trade price of ``symbol`` in ticks, or None before the first trade."""
        return self._state.markets[symbol].last_price
