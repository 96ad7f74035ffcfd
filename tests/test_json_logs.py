"""Log lines for a log pipeline (paperex.support.json_logs): one JSON object each, with the id
of the request being served."""

from __future__ import annotations

import json
import logging
import sys

from paperex.support.json_logs import JsonFormatter, RequestIdFilter
from paperex.support.request_id import current, request_id_for


def record(message: str, *args: object, exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("paperex.test", logging.WARNING, __file__, 1, message, args, exc_info)  # type: ignore[arg-type]


def test_a_line_is_one_json_object_with_the_request_being_served() -> None:
    line = record("placed %s", "order 7")
    token = current.set("req-1")
    try:
        RequestIdFilter().filter(line)
    finally:
        current.reset(token)
    entry = json.loads(JsonFormatter().format(line))
    assert entry.pop("time").endswith("+00:00")
    assert entry == {
        "level": "WARNING",
        "logger": "paperex.test",
        "message": "placed order 7",
        "request_id": "req-1",
    }


def test_a_line_keeps_the_request_it_names_and_carries_its_exception() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        line = record("failed", exc_info=sys.exc_info())
    line.request_id = "from-the-engine"
    token = current.set("another")
    try:
        RequestIdFilter().filter(line)
    finally:
        current.reset(token)
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "from-the-engine"
    assert "ValueError: broken" in entry["exception"]


def test_no_request_no_id() -> None:
    line = record("idle")
    RequestIdFilter().filter(line)
    assert "request_id" not in json.loads(JsonFormatter().format(line))


def test_a_clients_id_is_kept_when_plain_else_a_new_one_is_made() -> None:
    assert request_id_for("bot-42.a_b") == "bot-42.a_b"
    for given in (None, "", "has space", "x" * 65, 'quote"'):
        made = request_id_for(given)
        assert len(made) == 16
        assert made != request_id_for(given)
