from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session

from paperex.apps.core.retention import prune

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def test_expired_login_sessions_go_and_live_ones_stay() -> None:
    Session.objects.create(session_key="expired", session_data="", expire_date=NOW)
    Session.objects.create(
        session_key="live", session_data="", expire_date=NOW + timedelta(microseconds=1)
    )

    prune(now=NOW + timedelta(microseconds=1))

    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
