"""Login sessions past their expiry (Django's ``clearsessions``, done by the prune job)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sessions.models import Session
from django.db.models import QuerySet

from paperex.apps.core.retention import PruneRule


def expired_sessions(now: datetime) -> QuerySet[Session]:
    return Session.objects.filter(expire_date__lt=now)


def session_rules() -> list[PruneRule]:
    return [PruneRule("expired login sessions", expired_sessions)]
