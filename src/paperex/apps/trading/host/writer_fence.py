"""The single writer's fence: the database refuses a batch from an engine that no longer holds
the writer lock.

The lock (``writer_lock``) lives on a connection of its own. When that connection is lost while
its engine still runs (paused, cut off), another writer may take the lock, so the lock alone
cannot keep the first one from writing. Every writer that takes the lock therefore takes the
next epoch, and every batch checks, inside its own transaction and with a lock on the epoch's
row, that the epoch is still the one it took: a takeover waits for a batch in flight to commit
(and then rebuilds from it), and a batch after a takeover is refused.
"""

from __future__ import annotations

from django.db.models import F

from paperex.apps.trading.models import EngineWriter

_ROW = 1


class WriterFencedError(RuntimeError):
    """Another writer took over the database: this one must stop writing."""


def epoch_take() -> int:
    """Inside the transaction of a writer that has just taken the engine lock: its epoch."""
    if not EngineWriter.objects.filter(pk=_ROW).update(epoch=F("epoch") + 1):
        EngineWriter.objects.create(pk=_ROW, epoch=1)  # a test database flushed the row
    return int(EngineWriter.objects.get(pk=_ROW).epoch)


def epoch_check(epoch: int) -> None:
    """Inside a batch's transaction: raises WriterFencedError unless ``epoch`` is current.

    The row stays locked until the batch commits, so a takeover cannot slip in between.
    """
    current = (
        EngineWriter.objects.select_for_update(no_key=True)
        .filter(pk=_ROW)
        .values_list("epoch", flat=True)
    )
    found = list(current)
    if found != [epoch]:
        raise WriterFencedError(
            f"another engine took over this database (epoch {found[0] if found else None}, "
            f"this engine's {epoch})"
        )
