"""Whether the services a process needs answer, checked before a role starts: a bad
``DATABASE_URL`` or ``REDIS_URL`` is then one line naming the setting and the cause, not a hang
and a page of tracebacks."""

from __future__ import annotations

import psycopg
import redis
from django.db import DatabaseError, connection

CHECK_SECONDS = 2
"""How long a start-up check waits for a service to answer."""


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def database_problem() -> str | None:
    """Why the database does not answer within ``CHECK_SECONDS``, or None when it does."""
    settings = connection.settings_dict
    where = f"{connection.vendor} database {settings['NAME']!s}"
    if connection.vendor == "postgresql":
        where = f"{where} at {settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
    try:
        if connection.vendor == "postgresql":
            # A connection of its own: the pool would wait its longer timeout for one.
            params = connection.get_connection_params()
            with psycopg.connect(**params, connect_timeout=CHECK_SECONDS) as probe:
                probe.execute("SELECT 1")
        else:
            connection.ensure_connection()
    except (DatabaseError, psycopg.Error, OSError) as error:
        return f"cannot reach the {where} (DATABASE_URL): {_one_line(error)}"
    return None


def redis_problem(url: str) -> str | None:
    """Why Redis at ``url`` does not answer within ``CHECK_SECONDS``, or None when it does."""
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CHECK_SECONDS, socket_timeout=CHECK_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return f"cannot reach Redis (REDIS_URL): {_one_line(error)}"
    finally:
        client.close()
    return None
