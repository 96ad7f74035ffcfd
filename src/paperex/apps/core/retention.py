"""Retention: rules naming the rows that have outlived their setting, and the prune that
deletes them in batches (README "Storage and retention").

Each app registers the rules of its own tables (``rules_register`` in its ``ready``); the
rules read their settings when they run, so a rule whose setting keeps for ever names nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PruneRule:
    """``rows`` are the rows of table ``name`` to delete at a moment; None when its setting
    keeps them for ever."""

    name: str
    rows: Callable[[datetime], models.QuerySet[models.Model] | None]


@dataclass(frozen=True)
class Pruned:
    """What one rule deleted (or, in a dry run, would delete); None: kept for ever."""

    name: str
    rows: int | None


_rule_sources: list[Callable[[], Iterable[PruneRule]]] = []


def rules_register(source: Callable[[], Iterable[PruneRule]]) -> None:
    """Add an app's rules; ``source`` is called at every prune."""
    _rule_sources.append(source)


def prune_rules() -> list[PruneRule]:
    return [rule for source in _rule_sources for rule in source()]


def rows_delete_in_batches(rows: models.QuerySet[models.Model], *, batch: int) -> int:
    """Delete ``rows``, ``batch`` of them per transaction, and return how many went.

    Each batch is chosen by primary key and deleted in a short transaction of its own, so a
    large prune never holds a table for long and the server's writes go on in between.
    """
    model = rows.model
    deleted = 0
    while ids := list(rows.order_by().values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            _, by_model = model._default_manager.filter(pk__in=ids).delete()
        deleted += by_model.get(model._meta.label, 0)
    return deleted


def prune(*, dry_run: bool = False, now: datetime | None = None) -> list[Pruned]:
    """Apply every rule at ``now``: what each deleted, or with ``dry_run`` would delete."""
    now = now or timezone.now()
    report = []
    for rule in prune_rules():
        rows = rule.rows(now)
        count: int | None
        if rows is None:
            count = None
        elif dry_run:
            count = rows.count()
        else:
            count = rows_delete_in_batches(rows, batch=settings.PAPEREX_PRUNE_BATCH)
        report.append(Pruned(rule.name, count))
    return report


def prune_and_log() -> list[Pruned]:
    """``prune``, then one log line saying what went: the periodic job."""
    report = prune()
    pruned = [f"{item.name}: {item.rows}" for item in report if item.rows is not None]
    logger.info("pruned %s", ", ".join(pruned) or "nothing (every table is kept for ever)")
    return report
