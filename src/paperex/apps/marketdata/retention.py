"""Which replay sessions have outlived ``PAPEREX_KEEP_REPLAYS`` (running ones never do)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from paperex.apps.core.retention import PruneRule
from paperex.apps.marketdata.models import ReplaySession

ENDED = [ReplaySession.Status.FINISHED, ReplaySession.Status.STOPPED, ReplaySession.Status.FAILED]


def expired_replays(now: datetime) -> QuerySet[ReplaySession] | None:
    kept_for = settings.PAPEREX_KEEP_REPLAYS
    if kept_for is None:
        return None
    return ReplaySession.objects.filter(created_at__lt=now - kept_for, status__in=ENDED)


def replay_rules() -> list[PruneRule]:
    return [PruneRule("replay sessions", expired_replays)]
