"""What every Binance-compatible endpoint does around its own work: GET only, the query read
strictly, errors in Binance's shape, and the request's weight counted against the client
address's limit and reported."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

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


class EndpointView:
    """A public endpoint as a Django view (GET and HEAD only) and as what the WebSocket API
    calls (``answer``): one reading of the parameters for both."""

    csrf_exempt = True  # GET only: nothing a forged request could change

    def __init__(self, endpoint: Endpoint, *, weight: int, strict: bool) -> None:
        functools.update_wrapper(self, endpoint)
        self.endpoint = endpoint
        self.weight = weight
        self.strict = strict

    def answer(self, parameters: Mapping[str, str]) -> Answer:
        """The endpoint's answer to ``parameters``; raises BinanceError (503 -1001 while the
        database is away, -1104 for a parameter a strict endpoint did not read)."""
        query = QueryReader(parameters)
        try:
            answer = self.endpoint(query)
        except (OperationalError, InterfaceError) as away:
            raise service_unavailable() from away
        if self.strict:
            query.ensure_all_read()
        return answer

    def __call__(self, request: HttpRequest) -> HttpResponse:
        used = self.weight
        key = address_key(request_address(request))
        response: HttpResponse
        try:
            weight_check(key)
            if request.method not in ("GET", "HEAD"):
                raise unsupported_operation(status=405)
            answer = self.answer(request.GET)
            response = JsonResponse(answer.body, safe=False)
            used = answer.weight
        except BinanceError as error:
            response = error_response(error)
        response[USED_WEIGHT_HEADER] = str(weight_use(key, used))
        return response


def binance_endpoint(*, weight: int, strict: bool = True) -> Callable[[Endpoint], EndpointView]:
    """A view of ``endpoint``: it answers GET (and HEAD) with the endpoint's body, anything
    else with -1020, 503 -1001 with ``Retry-After`` while the database is away, and 429 -1003
    past the address's weight limit; ``weight`` is what a refused request costs. ``strict``: a
    parameter the endpoint did not read is -1104 (the ``sapi`` answers take any, signed ones
    included)."""

    def view_of(endpoint: Endpoint) -> EndpointView:
        return EndpointView(endpoint, weight=weight, strict=strict)

    return view_of
