"""What every signed (TRADE and USER_DATA) ``/api/v3`` endpoint does around its own work: the
signature checked before anything else (a request that fails it changes nothing), its
parameters read from the query and the body, Paperex's refusals said in Binance's words, the
weight counted against the user's limit (the client address's while the signature fails) and,
for order placements, the user's order counts reported (``weights.order_count_headers``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from paperex.apps.apikeys.signatures import (
    SignedRequestError,
    request_parameters,
    signed_request_verify,
)
from paperex.apps.binance.endpoint import Answer
from paperex.apps.binance.errors import (
    BinanceError,
    error_headers,
    service_unavailable,
    unsupported_operation,
)
from paperex.apps.binance.order_errors import binance_error_of
from paperex.apps.binance.parameters import QueryReader
from paperex.apps.binance.weights import (
    USED_WEIGHT_HEADER,
    address_key,
    order_count_headers,
    user_key,
    weight_check,
    weight_use,
)
from paperex.apps.core.errors import PaperexError
from paperex.apps.core.limits import request_address
from paperex.support.clock import wall_clock_ms

API_KEY_HEADER = "X-MBX-APIKEY"
SIGNING_PARAMETERS = ("timestamp", "recvWindow", "signature")
SignedHandler = Callable[[QueryReader, int], Answer]
View = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class SignedEndpoint:
    """A signed endpoint's work, what a refused request costs, and whether it places orders
    (its answers then carry the order-count headers)."""

    handler: SignedHandler
    weight: int
    places_orders: bool = False


def signed(
    *, weight: int, places_orders: bool = False
) -> Callable[[SignedHandler], SignedEndpoint]:
    """Declare ``handler(parameters, user_id) -> Answer`` a signed endpoint of ``weight``."""

    def declare(handler: SignedHandler) -> SignedEndpoint:
        return SignedEndpoint(handler, weight, places_orders)

    return declare


def answer_of(endpoint: SignedEndpoint, parameters: dict[str, str], user_id: int) -> Answer:
    """The endpoint's answer for a verified request; raises BinanceError (Paperex's refusals
    translated)."""
    reader = QueryReader(parameters)
    reader.mark_read(*SIGNING_PARAMETERS)
    try:
        answer = endpoint.handler(reader, user_id)
    except PaperexError as refused:
        raise binance_error_of(refused) from refused
    reader.ensure_all_read()
    return answer


@dataclass(frozen=True)
class SignedAnswer:
    """What a signed request is answered: its status, JSON body and Binance's headers."""

    status: int
    body: Any
    headers: dict[str, str]


def signed_answer(
    endpoint: SignedEndpoint | None,
    *,
    api_key: str | None,
    query_string: bytes,
    body: bytes,
    address: str,
) -> SignedAnswer:
    """The whole answer to a signed request (the Django view and the ASGI order lane both
    call it): ``endpoint`` None is 405 with -1020, a database that is away (for the key or
    the endpoint) 503 -1001 with ``Retry-After``, and a user past the weight limit 429
    -1003."""
    user_id: int | None = None
    used = endpoint.weight if endpoint is not None else 1
    key = address_key(address)
    answer: SignedAnswer
    try:
        if endpoint is None:
            raise unsupported_operation(status=405)
        parameters = request_parameters(query_string, body)
        user_id = signed_request_verify(
            api_key=api_key,
            query_string=query_string,
            body=body,
            timestamp=parameters.get("timestamp"),
            recv_window=parameters.get("recvWindow"),
            now_ms=wall_clock_ms(),
        )
        key = user_key(user_id)
        weight_check(key)
        done = answer_of(endpoint, parameters, user_id)
        answer = SignedAnswer(200, done.body, {})
        used = done.weight
    except SignedRequestError as unsigned:
        answer = SignedAnswer(unsigned.status, unsigned.body(), {})
    except BinanceError as error:
        answer = SignedAnswer(error.status, error.body(), error_headers(error))
    except (OperationalError, InterfaceError):
        unavailable = service_unavailable()
        answer = SignedAnswer(unavailable.status, unavailable.body(), error_headers(unavailable))
    answer.headers[USED_WEIGHT_HEADER] = str(weight_use(key, used))
    if endpoint is not None and endpoint.places_orders and user_id is not None:
        answer.headers.update(order_count_headers(user_id))
    return answer


def signed_view(**methods: SignedEndpoint) -> View:
    """One path's view: each HTTP method (``GET=``, ``POST=``, ``DELETE=``) to its signed
    endpoint, answered by ``signed_answer``."""

    @csrf_exempt  # no cookie authenticates these requests: the signature does
    def view(request: HttpRequest) -> HttpResponse:
        answer = signed_answer(
            methods.get(request.method or ""),
            api_key=request.headers.get(API_KEY_HEADER),
            query_string=request.META.get("QUERY_STRING", "").encode(),
            body=request.body,
            address=request_address(request),
        )
        response = JsonResponse(answer.body, status=answer.status, safe=False)
        for header, value in answer.headers.items():
            response[header] = value
        return response

    return functools.update_wrapper(view, next(iter(methods.values())).handler)
