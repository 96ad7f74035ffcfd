"""Every refusal of a signed ``/api/v3`` request is Binance's code, exact message and HTTP
status, and a refused request changes nothing: bad signatures, timestamps and keys, malformed
orders, and Paperex's order refusals (balance, filters, duplicates, limits, an engine away)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.services import apikey_create, apikey_revoke
from paperex.apps.binance.order_errors import binance_error_of
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.models import Balance, Order
from paperex.apps.trading.services.orders import MarketNotReadyError, OrderOutcomeUnknownError
from paperex.domain import RejectReason
from paperex.support.clock import wall_clock_ms
from paperex.support.rate_window import Rate
from tests.apps.binance.signing import LIMIT_BUY, SignedClient

Trader = Callable[[str], tuple[User, APIClient]]
pytestmark = pytest.mark.usefixtures("engine_host")
MARKET_BUY = {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}


@pytest.fixture
def alice(make_trader: Trader) -> SignedClient:
    user, _ = make_trader("alice")
    return SignedClient.of(user)


def balances_of(user: User) -> dict[str, tuple[Decimal, Decimal]]:
    return {b.asset.code: (b.free, b.locked) for b in Balance.objects.filter(user=user)}


@pytest.fixture
def unchanged(alice: SignedClient) -> Iterator[None]:
    """The test's requests leave alice's orders and balances as they were."""
    before = balances_of(alice.user)
    yield
    assert not Order.objects.filter(user=alice.user).exists()
    assert balances_of(alice.user) == before


def assert_refused(response: Any, status: int, code: int, message: str) -> None:
    assert (response.status_code, response.json()) == (status, {"code": code, "msg": message})


SIGNING_CASES = [
    ({"signature": "0" * 64}, 400, -1022, "Signature for this request is not valid."),
    ({"secret": "another-secret"}, 400, -1022, "Signature for this request is not valid."),
    (
        {"timestamp_offset": -60_000},
        400,
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
    ),
    (
        {"timestamp_offset": 5_000},
        400,
        -1021,
        "Timestamp for this request was 1000ms ahead of the server's time.",
    ),
    ({"api_key": None}, 401, -2014, "API-key format invalid."),
    ({"api_key": "x" * 64}, 401, -2015, "Invalid API-key, IP, or permissions for action."),
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("options", "status", "code", "message"), SIGNING_CASES)
@pytest.mark.parametrize(
    ("method", "path", "parameters"),
    [
        ("POST", "order", LIMIT_BUY),
        ("GET", "account", {}),
        ("DELETE", "openOrders", {"symbol": "BTCUSDT"}),
    ],
    ids=["new-order", "account", "cancel-all"],
)
def test_a_badly_signed_request_is_refused_and_changes_nothing(
    alice: SignedClient,
    options: dict[str, Any],
    status: int,
    code: int,
    message: str,
    method: str,
    path: str,
    parameters: dict[str, str],
) -> None:
    options = dict(options)
    offset = options.pop("timestamp_offset", None)
    if offset is not None:
        options["timestamp"] = wall_clock_ms() + offset
    response = alice.request(method, path, parameters, **options)
    assert_refused(response, status, code, message)
    assert "X-MBX-ORDER-COUNT-10S" not in response


@pytest.mark.usefixtures("unchanged")
def test_a_revoked_key_is_refused(alice: SignedClient) -> None:
    assert alice.post("order/test", LIMIT_BUY).status_code == 200
    key_id = alice.user.api_keys.get().pk
    assert apikey_revoke(user_id=alice.user.pk, api_key_id=key_id)
    response = alice.post("order", LIMIT_BUY)
    assert_refused(response, 401, -2015, "Invalid API-key, IP, or permissions for action.")


@pytest.mark.usefixtures("unchanged")
def test_a_changed_parameter_breaks_the_signature(alice: SignedClient) -> None:
    response = alice.client.generic(
        "POST",
        "/api/v3/order",
        data=f"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=20000"
        f"&timestamp={wall_clock_ms()}&signature={'a' * 64}",
        content_type="application/x-www-form-urlencoded",
        headers={"X-MBX-APIKEY": alice.api_key},
    )
    assert_refused(response, 400, -1022, "Signature for this request is not valid.")


def missing(name: str) -> tuple[int, str]:
    return -1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."


ORDER_CASES = [
    (
        {**LIMIT_BUY, "quantity": "100"},
        -2010,
        "Account has insufficient balance for requested action.",
    ),
    ({**LIMIT_BUY, "price": "20000.001"}, -1013, "Filter failure: PRICE_FILTER"),
    ({**LIMIT_BUY, "quantity": "0.000001"}, -1013, "Filter failure: LOT_SIZE"),
    ({**LIMIT_BUY, "quantity": "0.0001", "price": "100"}, -1013, "Filter failure: NOTIONAL"),
    ({**LIMIT_BUY, "symbol": "DOGEUSDT"}, -1121, "Invalid symbol."),
    ({**LIMIT_BUY, "type": "OCO"}, -1116, "Invalid orderType."),
    ({**LIMIT_BUY, "side": "HOLD"}, -1117, "Invalid side."),
    ({**LIMIT_BUY, "timeInForce": "GTD"}, -1115, "Invalid timeInForce."),
    ({key: v for key, v in LIMIT_BUY.items() if key != "price"}, *missing("price")),
    ({key: v for key, v in LIMIT_BUY.items() if key != "timeInForce"}, *missing("timeInForce")),
    ({key: v for key, v in LIMIT_BUY.items() if key != "side"}, *missing("side")),
    (
        MARKET_BUY,
        -1102,
        "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    ),
    (
        {**MARKET_BUY, "quantity": "1", "price": "1"},
        -1106,
        "Parameter 'price' sent when not required.",
    ),
    (
        {**LIMIT_BUY, "quantity": "1e3"},
        -1100,
        "Illegal characters found in parameter 'quantity'; legal range is "
        "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    ),
    (
        {**LIMIT_BUY, "newClientOrderId": "has space"},
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; legal range is "
        "'^[a-zA-Z0-9-_]{1,36}$'.",
    ),
    (
        {**LIMIT_BUY, "icebergQty": "0.1"},
        -1104,
        "Not all sent parameters were read; read '8' parameter(s) but was sent '9'.",
    ),
]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(("parameters", "code", "message"), ORDER_CASES)
def test_a_refused_order_is_binances_error_and_places_nothing(
    alice: SignedClient, parameters: dict[str, str], code: int, message: str
) -> None:
    response = alice.post("order", parameters)
    assert_refused(response, 400, code, message)


def test_a_used_client_order_id_is_a_duplicate(alice: SignedClient) -> None:
    first = alice.post("order", {**LIMIT_BUY, "newClientOrderId": "once"})
    assert first.status_code == 200
    again = alice.post("order", {**LIMIT_BUY, "newClientOrderId": "once"})
    assert_refused(again, 400, -2010, "Duplicate order sent.")
    assert Order.objects.filter(user=alice.user).count() == 1


def test_query_and_cancel_need_an_order_reference(alice: SignedClient) -> None:
    message = "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
    assert_refused(alice.get("order", {"symbol": "BTCUSDT"}), 400, -1102, message)
    assert_refused(alice.delete("order", {"symbol": "BTCUSDT"}), 400, -1102, message)
    unknown = alice.get("order", {"symbol": "BTCUSDT", "orderId": 123})
    assert_refused(unknown, 400, -2013, "Order does not exist.")


def test_the_order_limit_is_429_minus_1015(alice: SignedClient, settings: Any) -> None:
    settings.PAPEREX_RATE_LIMITS = {**settings.PAPEREX_RATE_LIMITS, "orders": Rate(1, 10)}
    assert alice.post("order", LIMIT_BUY).status_code == 200
    refused = alice.post("order", LIMIT_BUY)
    assert_refused(
        refused, 429, -1015, "Too many new orders; current limit is 1 orders per 10 SECOND."
    )
    assert int(refused["Retry-After"]) >= 1
    assert Order.objects.filter(user=alice.user).count() == 1


@pytest.mark.usefixtures("unchanged")
def test_an_engine_away_is_503_with_retry_after(alice: SignedClient, settings: Any) -> None:
    settings.PAPEREX_RUN_ENGINE = False
    settings.PAPEREX_REDIS_URL = None
    host = engine_gateway.host  # put back for the fixture's teardown
    engine_gateway.attach(None)
    try:
        response = alice.post("order", LIMIT_BUY)
    finally:
        engine_gateway.attach(host)
    assert_refused(
        response, 503, -1001, "Internal error; unable to process your request. Please try again."
    )
    assert response["Retry-After"] == "1"


def test_a_market_not_ready_and_an_unknown_outcome_are_503() -> None:
    not_ready = binance_error_of(MarketNotReadyError(RejectReason.MARKET_NOT_READY, "wait"))
    assert (not_ready.status, not_ready.code, not_ready.retry_after) == (503, -1001, 1)
    unknown = binance_error_of(OrderOutcomeUnknownError("late", client_order_id="x"))
    assert (unknown.status, unknown.code) == (503, -1007)
    assert unknown.message.endswith("execution status unknown.")


def test_an_ed25519_key_signs_in_base64(make_trader: Trader) -> None:
    user, _ = make_trader("carol")
    private = ed25519.Ed25519PrivateKey.generate()
    public_pem = private.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    key = apikey_create(user_id=user.pk, label="ed", public_key=public_pem.decode()).key
    payload = urlencode({"omitZeroBalances": "true", "timestamp": wall_clock_ms()})
    signature = quote(base64.b64encode(private.sign(payload.encode())).decode(), safe="")
    client = Client()
    answer = client.get(
        f"/api/v3/account?{payload}&signature={signature}", headers={"X-MBX-APIKEY": key.api_key}
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["uid"] == user.pk
    forged = base64.b64encode(ed25519.Ed25519PrivateKey.generate().sign(payload.encode()))
    refused = client.get(
        f"/api/v3/account?{payload}&signature={quote(forged.decode(), safe='')}",
        headers={"X-MBX-APIKEY": key.api_key},
    )
    assert_refused(refused, 400, -1022, "Signature for this request is not valid.")


def test_history_windows_are_at_most_a_day(alice: SignedClient) -> None:
    day = 24 * 3_600_000
    for path in ("allOrders", "myTrades"):
        response = alice.get(path, {"symbol": "BTCUSDT", "startTime": 1, "endTime": day + 2})
        assert_refused(response, 400, -1127, "More than 24 hours between startTime and endTime.")
        assert alice.get(path, {"symbol": "BTCUSDT", "startTime": 1, "endTime": day}).json() == []


@pytest.mark.parametrize(
    ("where", "symbol"),
    [
        ("paperex.apps.apikeys.signatures.apikey_active_get", "BTCUSDT"),
        # a symbol the cached markets do not hold is looked up
        ("paperex.apps.binance.views.market_exists", "DOGEUSDT"),
    ],
)
def test_a_database_away_is_503(
    alice: SignedClient, monkeypatch: pytest.MonkeyPatch, where: str, symbol: str
) -> None:
    def away(**_: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(where, away)
    response = alice.post("order", {**LIMIT_BUY, "symbol": symbol})
    assert_refused(
        response, 503, -1001, "Internal error; unable to process your request. Please try again."
    )
    assert response["Retry-After"] == "1"
