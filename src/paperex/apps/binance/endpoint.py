"""What every Binance-compatible endpoint does around its own work: GET only, the query read
strictly, errors in Binance's shape, and the request's weight counted and reported."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from paperex.apps.binance.errors import (
    BinanceError,
    error_response,
    service_unavailable,
    unsupported_operation,
)
from paperex.apps.binance.parameters import QueryReader
from paperex.apps.binance.weights import USED_WEIGHT_HEADER, weight_use
from paperex.apps.core.limits import request_address


class Answer(NamedTuple):
    """An endpoint's JSON body and the weight the request cost."""

    body: Any
    weight: int


Endpoint = Callable[[QueryReader], Answer]
View = Callable[[HttpRequest], HttpResponse]


def binance_endpoint(*, weight: int, strict: bool = True) -> Callable[[Endpoint], View]:
    """A view of ``endpoint``: it answers GET (and HEAD) with the endpoint's body, anything
    else with -1020, and 503 -1001 with ``Retry-After`` while the database is away; ``weight``
    is what a refused request costs. ``strict``: a parameter the
    endpoint did not read is -1104 (the ``sapi`` answers take any, signed ones included)."""

    def view_of(endpoint: Endpoint) -> View:
        @csrf_exempt  # GET only: nothing a forged request could change
        @functools.wraps(endpoint)
        def view(request: HttpRequest) -> HttpResponse:
            used = weight
            response: HttpResponse
            try:
                if request.method not in ("GET", "HEAD"):
                    raise unsupported_operation(status=405)
                query = QueryReader(request.GET)
                try:
                    answer = endpoint(query)
                except (OperationalError, InterfaceError) as away:
                    raise service_unavailable() from away
                if strict:
                    query.ensure_all_read()
                response = JsonResponse(answer.body, safe=False)
                used = answer.weight
            except BinanceError as error:
                response = error_response(error)
            response[USED_WEIGHT_HEADER] = str(weight_use(request_address(request), used))
            return response

        return view

    return view_of
