"""Which client order ids may be stored, known without asking the database for most of them.

Placing is idempotent by client order id: before the engine runs a batch, the host looks up the
orders stored under the batch's (user, client order id) pairs. Nearly every id is new (bots make
one for each order), yet asking cost a statement per batch on the writer's thread and in the
database. ``StoredClientIds`` is a Bloom filter of every pair stored: the host adds each pair it
stores, and after each batch it reads a chunk of the pairs that were stored before it took over
(``scan_step``, on its own thread and connection: no second reader). Until that scan is done
every pair is asked for; afterwards only those the filter may hold: the stored ones and about
one in a hundred of the others. A filter never forgets, so it holds no false "not stored";
pairs that are gone (retention) or were never committed only cost a look-up.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from paperex.apps.trading.models import Order

ClientKey = tuple[int, str]
"""(user id, client order id)."""

PROBES = 7
FIRST_BITS_PER_KEY = 10
"""With seven bits set per key in ten, about one fresh key in a hundred seems stored."""
GROWN_BITS_PER_KEY = 16
"""The layers added as the filter fills: one in two thousand, so that they add little."""
FIRST_CAPACITY = 1 << 16
MOST_CAPACITY_UP_FRONT = 1 << 25
"""The first layer is sized for the orders stored before the take-over, within these bounds
(at most 40 MiB); later layers double."""
SCAN_CHUNK = 2000
"""Stored orders read per step of the scan: a few milliseconds added to one batch."""


class _Layer:
    """A fixed-size Bloom filter for ``capacity`` keys."""

    __slots__ = ("bits", "capacity", "count", "size")

    def __init__(self, capacity: int, bits_per_key: int) -> None:
        self.capacity = capacity
        self.size = capacity * bits_per_key
        self.bits = bytearray((self.size + 7) // 8)
        self.count = 0

    def _positions(self, digest: int) -> Iterator[int]:
        """Lazily: ``may_hold`` stops at the first bit not set, most often the first or second."""
        first = digest & 0xFFFFFFFF
        step = (digest >> 32) | 1
        return ((first + probe * step) % self.size for probe in range(PROBES))

    def add(self, digest: int) -> None:
        for position in self._positions(digest):
            self.bits[position >> 3] |= 1 << (position & 7)
        self.count += 1

    def may_hold(self, digest: int) -> bool:
        bits = self.bits
        return all(
            bits[position >> 3] & (1 << (position & 7)) for position in self._positions(digest)
        )


def _digest(key: ClientKey) -> int:
    return hash(key) & 0xFFFFFFFFFFFFFFFF  # one process asks and adds: hash() is stable here


class StoredClientIds:
    """The pairs stored, as the host knows them since it took over with ``next_order_id``:
    orders numbered below it were stored before and are read by ``scan_step``."""

    def __init__(self, next_order_id: int) -> None:
        capacity = min(max(next_order_id, FIRST_CAPACITY), MOST_CAPACITY_UP_FRONT)
        self._layers = [_Layer(capacity, FIRST_BITS_PER_KEY)]
        self._scanned_to = 0
        """Every order numbered up to this one is in the filter."""
        self._scan_end = next_order_id - 1

    @property
    def scanned(self) -> bool:
        return self._scanned_to >= self._scan_end

    def add(self, key: ClientKey) -> None:
        """Note a pair stored (or about to be: one that is not costs only a look-up)."""
        layer = self._layers[-1]
        if layer.count >= layer.capacity:
            layer = _Layer(layer.capacity * 2, GROWN_BITS_PER_KEY)
            self._layers.append(layer)
        layer.add(_digest(key))

    def to_ask(self, keys: set[ClientKey]) -> set[ClientKey]:
        """The pairs among ``keys`` that the database must be asked for."""
        if not self.scanned:
            return keys
        return {key for key in keys if self._may_hold(key)}

    def _may_hold(self, key: ClientKey) -> bool:
        digest = _digest(key)
        return any(layer.may_hold(digest) for layer in self._layers)

    def scan_step(self) -> None:
        """Add the next chunk of the orders stored before the take-over (a database read on
        the caller's connection; raises what it raises)."""
        if self.scanned:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, user_id, client_order_id FROM {Order._meta.db_table}"
                " WHERE id > %s AND id <= %s ORDER BY id LIMIT %s",
                [self._scanned_to, self._scan_end, SCAN_CHUNK],
            )
            rows = cursor.fetchall()
        for _, user_id, client_order_id in rows:
            self.add((user_id, client_order_id))
        self._scanned_to = rows[-1][0] if len(rows) == SCAN_CHUNK else self._scan_end
