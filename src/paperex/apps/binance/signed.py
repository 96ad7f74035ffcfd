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
    error_response,
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


def signed_user(request: HttpRequest, parameters: dict[str, str]) -> int:
    """The id of the user whose key signed ``request``; raises SignedRequestError."""
    return signed_request_verify(
        api_key=request.headers.get(API_KEY_HEADER),
        query_string=request.META.get("QUERY_STRING", "").encode(),
        body=request.body,
        timestamp=parameters.get("timestamp"),
        recv_window=parameters.get("recvWindow"),
        now_ms=wall_clock_ms(),
    )


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


def signed_view(**methods: SignedEndpoint) -> View:
    """One path's view: each HTTP method (``GET=``, ``POST=``, ``DELETE=``) to its signed
    endpoint; any other method is 405 with -1020, a database that is away (for the key or
    the endpoint) 503 -1001 with ``Retry-After``, and a user past the weight limit 429 -1003."""

    @csrf_exempt  # no cookie authenticates these requests: the signature does
    def view(request: HttpRequest) -> HttpResponse:
        endpoint = methods.get(request.method or "")
        user_id: int | None = None
        used = endpoint.weight if endpoint is not None else 1
        key = address_key(request_address(request))
        response: HttpResponse
        try:
            if endpoint is None:
                raise unsupported_operation(status=405)
            parameters = request_parameters(
                request.META.get("QUERY_STRING", "").encode(), request.body
            )
            user_id = signed_user(request, parameters)
            key = user_key(user_id)
            weight_check(key)
            answer = answer_of(endpoint, parameters, user_id)
            response = JsonResponse(answer.body, safe=False)
            used = answer.weight
        except SignedRequestError as unsigned:
            response = JsonResponse(unsigned.body(), status=unsigned.status)
        except BinanceError as error:
            response = error_response(error)
        except (OperationalError, InterfaceError):
            response = error_response(service_unavailable())
        response[USED_WEIGHT_HEADER] = str(weight_use(key, used))
        if endpoint is not None and endpoint.places_orders and user_id is not None:
            for header, count in order_count_headers(user_id).items():
                response[header] = count
        return response

    return functools.update_wrapper(view, next(iter(methods.values())).handler)
