from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import server_error

from paperex.apps.core.errors import ErrorCode
from paperex.apps.core.metrics import CONTENT_TYPE, metrics_text
from paperex.apps.core.metrics_access import metrics_allowed


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # nothing is done here: a bot's POST gets the 404, not a CSRF page
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any /api/ URL that matches no endpoint, in the API's error shape (even with DEBUG on),
    whatever the method."""
    return JsonResponse(
        {"code": ErrorCode.NOT_FOUND.value, "message": f"No endpoint at {request.path}"}, status=404
    )


def internal_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"code": "server_error", "message": "Internal error; it has been logged."}, status=500
        )
    return server_error(request)


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """The icon for browsers that ask /favicon.ico (pages without a ``<link rel="icon">``, such
    as the admin's); not permanent, since the static file's URL may change."""
    return redirect(static("core/favicon.svg"))


def metrics(request: HttpRequest) -> HttpResponse:
    """``GET /metrics`` for Prometheus: to a scraper with ``PAPEREX_METRICS_TOKEN`` as its
    bearer token, or from an address of ``PAPEREX_METRICS_ALLOW`` (loopback by default)."""
    if not metrics_allowed(request):
        return HttpResponse(
            "metrics: not allowed from here\n", status=403, content_type="text/plain"
        )
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE)
