"""Venue frames kept as files under ``tests/resources/venues/<venue>/<name>.json``.

Each file holds one frame on one line, byte for byte as the venue sends it: Binance's parser has a
fast path for the venue's exact layout, so reformatting a file would test a different path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VENUES = Path(__file__).resolve().parents[1] / "resources" / "venues"


def venue_frame(venue: str, name: str) -> bytes:
    """The frame's bytes, without the file's final newline."""
    return (VENUES / venue / f"{name}.json").read_bytes().rstrip(b"\n")


def venue_message(venue: str, name: str) -> Any:
    """The frame decoded from JSON (for tests that change a field or publish it as a message)."""
    return json.loads(venue_frame(venue, name))
