"""Who may read ``/metrics``: a scraper with the token, or an address on the allow-list."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest

from paperex.apps.core.limits import request_address


def metrics_allowed(request: HttpRequest) -> bool:
    """With ``PAPEREX_METRICS_TOKEN`` set, a request bearing it; from an address in
    ``PAPEREX_METRICS_ALLOW`` (loopback unless set), any request; else none."""
    token: str = settings.PAPEREX_METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return True
    return request_address(request) in settings.PAPEREX_METRICS_ALLOW
