"""Funding while no engine host runs (``paperex seed``/``createuser``, a test): the writer for
one user's deposits and resets, inside the caller's transaction.

Under the engine lock (``writer_lock.engine_lock_for_transaction``) an engine rebuilt for that
one user processes the commands and ``batch_write`` stores their events, so there is still one
write path to the engine's tables. When a host holds the lock, the caller must send the
commands to it instead (see ``paperex.apps.trading.gateway``).
"""

from __future__ import annotations

from django.db import transaction

from paperex.apps.trading.catalog import catalog_read
from paperex.apps.trading.host.batch_writer import batch_write
from paperex.apps.trading.host.fee_account import fee_account_ensure
from paperex.apps.trading.host.recovery import engine_restore
from paperex.apps.trading.host.writer_lock import engine_lock_for_transaction
from paperex.domain.commands import EngineCommand
from paperex.domain.events import TransferRejected


def funding_write_offline(*, user_id: int, commands: list[EngineCommand]) -> bool:
    """Process and store one user's funding commands here when no host runs; True if done.

    Must run inside the caller's transaction (``transaction.atomic``); False means a host
    runs and nothing was written. Raises ValueError when the engine refuses a transfer.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("funding_write_offline needs the caller's transaction")
    with engine_lock_for_transaction() as no_host_runs:
        if not no_host_runs:
            return False
        catalog = catalog_read()
        state = engine_restore(
            catalog=catalog, fee_account_id=fee_account_ensure(), user_id=user_id
        )
        results = [(command, state.engine.process(command)) for command in commands]
        for _, events in results:
            for event in events:
                if isinstance(event, TransferRejected):
                    raise ValueError(f"{event.asset}: {event.message}")
        batch_write(
            catalog=catalog,
            results=results,
            open_orders=state.open_orders,
            trade_sequences=state.trade_sequences,
            book_sequences=state.book_sequences,
            books_changed=set(),
        )
        return True
