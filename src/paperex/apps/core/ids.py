"""Ids in URLs and queries: integers a database column holds, so that a larger one is an answer
(404 in a path, 400 in a query), never a database error."""

from __future__ import annotations

from django.urls.converters import IntConverter

LARGEST_ID = 2**63 - 1
"""The largest value of a bigint column (PostgreSQL's, SQLite's INTEGER)."""


class IdConverter(IntConverter):
    """``<id:name>`` in a URL: an id from 1 to ``LARGEST_ID``; another number matches no URL."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= LARGEST_ID:
            raise ValueError(f"no id {value}")
        return number
