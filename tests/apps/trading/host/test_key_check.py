"""A command signed with an API key runs only if the key is active and its user's when the
engine takes it: the order lane keeps verified keys in memory and relies on this check."""

from __future__ import annotations

import pytest

from paperex.apps.accounts.services import user_register
from paperex.apps.apikeys.services import apikey_create, apikey_revoke
from paperex.apps.core import key_holders
from paperex.apps.trading.gateway.redis_client import _envelope
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.models import Order
from paperex.apps.trading.protocol import Heartbeat, decode_envelope
from paperex.domain import Side
from tests.apps.trading.host.test_group_commit import ANSWER_SECONDS, limit
from tests.support.trading import PASSWORD


def test_an_order_runs_only_with_an_active_key_of_its_user(engine_host: EngineHost) -> None:
    alice = user_register(username="alice", password=PASSWORD).pk
    bob = user_register(username="bob", password=PASSWORD).pk
    alices = apikey_create(user_id=alice, label="bot").key.pk
    bobs = apikey_create(user_id=bob, label="bot").key.pk
    revoked = apikey_create(user_id=alice, label="old").key.pk
    assert apikey_revoke(user_id=alice, api_key_id=revoked)
    order = limit(alice, Side.BUY, "20000", "0.01")
    keys = {"active": alices, "another user's": bobs, "revoked": revoked, "unknown": 10**9}
    replies = {
        name: engine_host.submit(order, api_key_id=key).result(ANSWER_SECONDS)
        for name, key in {**keys, "none": None}.items()
    }
    assert {name: reply.key_refused for name, reply in replies.items()} == {
        "active": False,
        "another user's": True,
        "revoked": True,
        "unknown": True,
        "none": False,
    }
    refused = [replies[name] for name in ("another user's", "revoked", "unknown")]
    assert all(reply.orders == [] and reply.rejection_reason is None for reply in refused)
    assert Order.objects.filter(user_id=alice).count() == 2
    assert engine_host.state is not None
    assert len(engine_host.state.engine.open_orders(user_id=alice)) == 2


def test_without_a_reader_of_keys_no_keyed_order_runs(
    engine_host: EngineHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = user_register(username="alice", password=PASSWORD).pk
    key = apikey_create(user_id=alice, label="bot").key.pk
    monkeypatch.setattr(key_holders, "_read", None)
    order = limit(alice, Side.BUY, "20000", "0.01")
    assert engine_host.submit(order, api_key_id=key).result(ANSWER_SECONDS).key_refused


def test_the_key_travels_with_the_command_over_redis() -> None:
    _, payload = _envelope(Heartbeat(), 1.0, droppable=True, api_key_id=7)
    assert decode_envelope(payload).api_key_id == 7
    _, keyless = _envelope(Heartbeat(), 1.0, droppable=True)
    assert decode_envelope(keyless).api_key_id is None
