"""Log lines a log pipeline can read: one JSON object per line (``PAPEREX_LOG_FORMAT=json``),
each with the id of the request it was written for, where there is one."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from paperex.support.request_id import current


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being served (unless it names its own, as the
    engine's lines about a command do)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}``, plus ``request_id`` and ``exception`` when
    there are."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
