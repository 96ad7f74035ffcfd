from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.journal.models import JournalTrade
from paperex.config.environment import S3Access
from tests.support.s3_server import S3Bucket, s3_bucket, s3_server

__all__ = ["s3_bucket", "s3_server"]

AddTrade = Callable[..., JournalTrade]


@pytest.fixture
def add_trade() -> AddTrade:
    """A journal trade of a user (created when new) at a UTC time, AAPL 10 @ 150.75 unless
    told otherwise."""

    def add(username: str, at: str, **fields: Any) -> JournalTrade:
        user, _ = User.objects.get_or_create(username=username)
        values: dict[str, Any] = {
            "ticker": "AAPL",
            "side": "BUY",
            "price": Decimal("150.75"),
            "quantity": Decimal(10),
            **fields,
        }
        moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
        return JournalTrade.objects.create(user=user, executed_at=moment, **values)

    return add


@pytest.fixture
def s3_export(settings: Any, s3_bucket: S3Bucket) -> S3Bucket:
    """The export target is ``s3://<a fresh bucket>/paperex`` on the test S3 server."""
    access = s3_bucket.settings
    settings.PAPEREX_EXPORT_TARGET = s3_bucket.url("paperex")
    settings.PAPEREX_S3 = S3Access(
        endpoint_url=access.endpoint_url,
        region=access.region,
        access_key_id=access.access_key_id,
        secret_access_key=access.secret_access_key,
    )
    return s3_bucket


@pytest.fixture
def folder_export(settings: Any, tmp_path: Path) -> Path:
    """The export target is a fresh local folder."""
    settings.PAPEREX_EXPORT_TARGET = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def alice_client(django_user_model: type[User]) -> APIClient:
    """An API client authenticated as a new user, alice."""
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create(username="alice"))
    return client
