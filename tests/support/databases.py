"""A PostgreSQL database of a test's own, so that server processes never see what other runs
(benchmarks, earlier tests) left in the database the environment names."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

from paperex.apps.trading.host.writer_lock import ADVISORY_LOCK_KEY


@contextlib.contextmanager
def own_database(url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server `url` names, dropped when the block ends;
    yields its URL. A URL that does not name PostgreSQL is yielded unchanged."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        yield url
        return
    name = f"paperex_it_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_sessions(database: str) -> int:
    """Terminate every session on the PostgreSQL database ``database`` names but this one's;
    how many were terminated."""
    with psycopg.connect(database, autocommit=True) as db:
        rows = db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


ENGINE_LOCK_HOLDERS_SQL = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND classid = %s AND objid = %s AND objsubid = 1"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
"""The sessions holding the engine lock on the current database."""
ENGINE_LOCK_KEY_PARTS = [ADVISORY_LOCK_KEY >> 32, ADVISORY_LOCK_KEY & 0xFFFFFFFF]
"""The lock's key as ``pg_locks`` shows a bigint advisory lock."""


def balances_off_the_ledger(database: str) -> list[str]:
    """The stored balances (``ledger <user> <asset>``) that differ from the sum of their
    ledger entries, on the PostgreSQL database ``database`` names."""
    with psycopg.connect(database) as db:
        rows = db.execute(
            """
            WITH moves AS (
                SELECT from_user_id AS user_id, asset_id, from_bucket AS bucket, -amount AS amount
                FROM trading_ledgerentry WHERE from_user_id IS NOT NULL
                UNION ALL
                SELECT to_user_id, asset_id, to_bucket, amount
                FROM trading_ledgerentry WHERE to_user_id IS NOT NULL
            ), totals AS (
                SELECT user_id, asset_id, bucket, sum(amount) AS total FROM moves GROUP BY 1, 2, 3
            )
            SELECT 'ledger ' || b.user_id || ' ' || b.asset_id FROM trading_balance b
            LEFT JOIN totals f
                ON (f.user_id, f.asset_id, f.bucket) = (b.user_id, b.asset_id, 'FREE')
            LEFT JOIN totals l
                ON (l.user_id, l.asset_id, l.bucket) = (b.user_id, b.asset_id, 'LOCKED')
            WHERE b.free <> coalesce(f.total, 0) OR b.locked <> coalesce(l.total, 0)
            """
        ).fetchall()
    return [row[0] for row in rows]
