"""The host asks the database only for the client order ids it cannot rule out
(``StoredClientIds``), and still answers every reused id with the order stored under it, also
one stored before the host took over."""

from __future__ import annotations

import random

import pytest
from django.db import OperationalError
from hypothesis import given
from hypothesis import strategies as st

from paperex.apps.accounts.services import user_register
from paperex.apps.trading.host import client_ids
from paperex.apps.trading.host import host as host_module
from paperex.apps.trading.host.client_ids import ClientKey, StoredClientIds
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.host.publication import Message
from paperex.apps.trading.models import Order
from paperex.domain.commands import CancelOrder
from tests.apps.trading.host.test_group_commit import ANSWER_SECONDS
from tests.support.trading import PASSWORD, btc_bid

KEYS = st.tuples(st.integers(1, 10**6), st.text(min_size=1, max_size=36))


def fresh_keys(count: int, seed: int) -> set[ClientKey]:
    rng = random.Random(seed)
    return {(rng.randint(1, 500), f"x-HNA2TXFJ{rng.getrandbits(88):x}") for _ in range(count)}


@given(stored=st.lists(KEYS, max_size=300), asked=st.lists(KEYS, max_size=50))
def test_a_stored_pair_is_always_asked_for(stored: list[ClientKey], asked: list[ClientKey]) -> None:
    ids = StoredClientIds(next_order_id=1)  # nothing stored before: nothing to scan
    for key in stored:
        ids.add(key)
    keys = set(asked) | set(stored[:10])
    assert ids.to_ask(keys) >= keys & set(stored)


@pytest.mark.parametrize("first_capacity", [client_ids.FIRST_CAPACITY, 64])
def test_few_fresh_pairs_are_asked_for_and_none_stored_is_missed_as_the_filter_grows(
    first_capacity: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_ids, "FIRST_CAPACITY", first_capacity)
    ids = StoredClientIds(next_order_id=1)
    stored = fresh_keys(5000, seed=1)
    for key in stored:
        ids.add(key)
    assert ids.to_ask(stored) == stored
    fresh = fresh_keys(5000, seed=2) - stored
    assert len(ids.to_ask(fresh)) < 0.03 * len(fresh)


def test_every_pair_is_asked_for_until_the_orders_stored_before_are_read() -> None:
    ids = StoredClientIds(next_order_id=2)
    fresh = fresh_keys(20, seed=3)
    assert not ids.scanned
    assert ids.to_ask(fresh) == fresh


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[set[ClientKey]]:
    """The pairs each batch asks the database for."""
    calls: list[set[ClientKey]] = []
    look_up = host_module._existing_client_orders

    def spy(keys: set[ClientKey]) -> dict[ClientKey, int]:
        calls.append(set(keys))
        return look_up(keys)

    monkeypatch.setattr(host_module, "_existing_client_orders", spy)
    return calls


def test_an_id_stored_before_the_host_took_over_is_answered_with_its_order(
    market_data: None, asked: list[set[ClientKey]], monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = user_register(username="alice", password=PASSWORD).pk
    earlier = EngineHost()
    earlier.start()
    try:
        old = [
            earlier.submit(btc_bid(alice, client_order_id=f"old-{n}")).result(ANSWER_SECONDS)
            for n in range(5)
        ]
        for reply in (old[0], old[4]):  # closed: only the database knows them now
            cancel = CancelOrder(
                timestamp=1, user_id=alice, symbol="BTCUSDT", order_id=reply.orders[0].id
            )
            assert earlier.submit(cancel).result(ANSWER_SECONDS).orders
    finally:
        earlier.stop()
    asked.clear()  # the earlier host's
    monkeypatch.setattr(client_ids, "SCAN_CHUNK", 2)  # three steps: two batches ask for all
    host = EngineHost()
    host.start()
    try:
        replies = [
            host.submit(btc_bid(alice, client_order_id=client_order_id)).result(ANSWER_SECONDS)
            for client_order_id in ("new-1", "new-2", "new-3", "old-4", "new-4", "old-0", "new-1")
        ]
    finally:
        host.stop()
    assert [reply.duplicate_of for reply in replies] == [
        None,
        None,
        None,
        old[4].orders[0].id,
        None,
        old[0].orders[0].id,
        replies[0].orders[0].id,
    ]
    assert asked[:3] == [{(alice, "new-1")}, {(alice, "new-2")}, {(alice, "new-3")}]
    # Scanned after three batches: a fresh id is not asked for, a stored one is.
    assert asked[3:] == [{(alice, "old-4")}, set(), {(alice, "old-0")}, {(alice, "new-1")}]
    assert Order.objects.filter(user_id=alice).count() == 9


def test_a_failed_read_of_stored_ids_loses_no_answer_or_message(
    market_data: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = user_register(username="alice", password=PASSWORD).pk
    published: list[list[Message]] = []

    def read_fails(_: StoredClientIds) -> None:
        raise OperationalError("the database went away")

    host = EngineHost(publish=published.append)
    host.start()
    monkeypatch.setattr(StoredClientIds, "scan_step", read_fails)
    try:
        reply = host.submit(btc_bid(alice, client_order_id="first")).result(ANSWER_SECONDS)
    finally:
        host.stop()
    assert [order.client_order_id for order in reply.orders] == ["first"]
    assert published  # the batch committed: its balance moved, and that was said
