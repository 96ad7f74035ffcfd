"""What every Binance-compatible endpoint does around its own work: GET only, the query read
strictly, errors in Binance's shape, and the request's weight counted against the client
address's limit and reported."""

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
from paperex.apps.binance.weights import (
    USED_WEIGHT_HEADER,
    address_key,
    weight_check,
    weight_use,
)
from paperex.apps.core.limits import request_address


class Answer(NamedTuple):
    """An endpoint's JSON body and the weight the request cost."""

    body: Any
    weight: int


Endpoint = Callable[[QueryReader], Answer]
View = Callable[[HttpRequest], HttpResponse]


def binance_endpoint(*, weight: int, strict: bool = True) -> Callable[[Endpoint], View]:
    """A view of ``endpoint``: it answers GET (and HEAD) with the endpoint's body, anything
    else with -1020, 503 -1001 with ``Retry-After`` while the database is away, and 429 -1003
    past the address's weight limit; ``weight`` is what a refused request costs. ``strict``: a
    parameter the endpoint did not read is -1104 (the ``sapi`` answers take any, signed ones
    included)."""

    def view_of(endpoint: Endpoint) -> View:
        @csrf_exempt  # GET only: nothing a forged request could change
        @functools.wraps(endpoint)
        def view(request: HttpRequest) -> HttpResponse:
            used = weight
            key = address_key(request_address(request))
            response: HttpResponse
            try:
                weight_check(key)
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
            response[USED_WEIGHT_HEADER] = str(weight_use(key, used))
            return response

        return view

    return view_of
