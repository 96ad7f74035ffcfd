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
    KeyRead,
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


REFUSALS = (SignedRequestError, BinanceError, PaperexError, OperationalError, InterfaceError)
"""What a signed request can be refused with on its way (``SignedRequest.refused`` words it)."""


@dataclass(frozen=True)
class SignedAnswer:
    """What a signed request is answered: its status, JSON body and Binance's headers."""

    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class SignedRequest:
    """One signed request on its way to its answer, in steps that the Django view runs in a
    row (``signed_answer``) and the ASGI order lane around its own awaits: ``verify``, the
    endpoint's work, then ``answered`` or ``refused``. Its weight counts against the client
    address until the signature checks out, then against the user."""

    endpoint: SignedEndpoint | None
    api_key: str | None
    query_string: bytes
    body: bytes
    address: str
    user_id: int | None = None

    @functools.cached_property
    def parameters(self) -> dict[str, str]:
        """The request's parameters, from its query and its body (``request_parameters``)."""
        return request_parameters(self.query_string, self.body)

    def verify(self, key_read: KeyRead | None = None) -> tuple[SignedHandler, QueryReader]:
        """The endpoint's handler and its parameters (the signing ones marked read) once the
        method, the signature (the key read by ``key_read``, by default from the database) and
        the user's weight check out; raises SignedRequestError or BinanceError (-1020 for a
        method without an endpoint, -1003)."""
        if self.endpoint is None:
            raise unsupported_operation(status=405)
        parameters = self.parameters
        self.user_id = signed_request_verify(
            api_key=self.api_key,
            query_string=self.query_string,
            body=self.body,
            timestamp=parameters.get("timestamp"),
            recv_window=parameters.get("recvWindow"),
            now_ms=wall_clock_ms(),
            key_read=key_read,
        )
        self.signed_by(self.user_id)
        return self.endpoint.handler, signed_reader(parameters)

    def signed_by(self, user_id: int) -> None:
        """Take the request as the user's, its signature checked: the weight counts against
        the user from now on; raises -1003 while the user is past the weight limit."""
        self.user_id = user_id
        weight_check(user_key(user_id))

    def answered(self, answer: Answer) -> SignedAnswer:
        """The answer of the endpoint's work, with Binance's headers."""
        return self._with_headers(SignedAnswer(200, answer.body, {}), answer.weight)

    def refused(self, error: Exception) -> SignedAnswer:
        """The answer to a request refused with one of ``REFUSALS``: Paperex's refusals in
        Binance's words, a database that is away 503 -1001 with ``Retry-After``."""
        if isinstance(error, SignedRequestError):
            answer = SignedAnswer(error.status, error.body(), {})
        else:
            if isinstance(error, PaperexError):
                error = binance_error_of(error)
            elif not isinstance(error, BinanceError):
                error = service_unavailable()
            answer = SignedAnswer(error.status, error.body(), error_headers(error))
        return self._with_headers(answer, self.endpoint.weight if self.endpoint else 1)

    def _with_headers(self, answer: SignedAnswer, used: int) -> SignedAnswer:
        key = address_key(self.address) if self.user_id is None else user_key(self.user_id)
        answer.headers[USED_WEIGHT_HEADER] = str(weight_use(key, used))
        if self.endpoint is not None and self.endpoint.places_orders and self.user_id is not None:
            answer.headers.update(order_count_headers(self.user_id))
        return answer


def signed_reader(parameters: dict[str, str]) -> QueryReader:
    """A reader of a signed request's parameters, the signing ones already read."""
    reader = QueryReader(parameters)
    reader.mark_read(*SIGNING_PARAMETERS)
    return reader


def answer_of(endpoint: SignedEndpoint, parameters: dict[str, str], user_id: int) -> Answer:
    """The endpoint's answer to a request verified elsewhere (the WebSocket API's); raises
    BinanceError (Paperex's refusals translated)."""
    reader = signed_reader(parameters)
    try:
        answer = endpoint.handler(reader, user_id)
    except PaperexError as refused:
        raise binance_error_of(refused) from refused
    reader.ensure_all_read()
    return answer


def signed_answer(request: SignedRequest) -> SignedAnswer:
    """The whole answer to a signed request, its steps in a row."""
    try:
        handler, reader = request.verify()
        assert request.user_id is not None
        answer = handler(reader, request.user_id)
        reader.ensure_all_read()
    except REFUSALS as error:
        return request.refused(error)
    return request.answered(answer)


def signed_view(**methods: SignedEndpoint) -> View:
    """One path's view: each HTTP method (``GET=``, ``POST=``, ``DELETE=``) to its signed
    endpoint, answered by ``signed_answer``."""

    @csrf_exempt  # no cookie authenticates these requests: the signature does
    def view(request: HttpRequest) -> HttpResponse:
        answer = signed_answer(
            SignedRequest(
                methods.get(request.method or ""),
                api_key=request.headers.get(API_KEY_HEADER),
                query_string=request.META.get("QUERY_STRING", "").encode(),
                body=request.body,
                address=request_address(request),
            )
        )
        response = JsonResponse(answer.body, status=answer.status, safe=False)
        for header, value in answer.headers.items():
            response[header] = value
        return response

    return functools.update_wrapper(view, next(iter(methods.values())).handler)
