"""A PostgreSQL database of a test's own, so that server processes never see what other runs
(benchmarks, earlier tests) left in the database the environment names."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg


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
