"""Which WebSocket handshakes to accept."""

from __future__ import annotations

from typing import Any
from urllib.parse import ParseResult

from channels.security.websocket import OriginValidator
from django.conf import settings


class BrowserOriginValidator(OriginValidator):  # type: ignore[misc]
    """Browsers send an Origin, which must be one of ALLOWED_HOSTS (so another site's page cannot
    use a visitor's session). Programs such as trading bots send none and are let through;
    they authenticate with a token where it matters."""

    def __init__(self, application: Any) -> None:
        super().__init__(application, settings.ALLOWED_HOSTS)

    def valid_origin(self, parsed_origin: ParseResult | None) -> bool:
        if parsed_origin is None:
            return True
        return bool(self.validate_origin(parsed_origin))
