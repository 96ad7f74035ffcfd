"""Verification of Binance-style signed requests: Binance's published HMAC vectors, Ed25519,
the time window, and every refusal with Binance's code, message and HTTP status."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from paperex.apps.accounts.models import User
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.secret_box import secret_encrypt
from paperex.apps.apikeys.services import apikey_create, apikey_revoke
from paperex.apps.apikeys.signatures import (
    SignedRequestError,
    form_pairs,
    hmac_signature_valid,
    request_parameters,
    signed_payload,
    signed_request_verify,
    timestamp_check,
)

# Binance's documented example key and request (rest-api.md, "SIGNED Endpoint Examples").
DOC_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
DOC_QUERY = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
DOC_SIGNATURE = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
DOC_MIXED_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
DOC_MIXED_BODY = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
DOC_MIXED_SIGNATURE = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
DOC_TIMESTAMP = 1499827319559


@pytest.mark.parametrize(
    ("payload", "signature"),
    [
        (DOC_QUERY, DOC_SIGNATURE),
        (DOC_QUERY, DOC_SIGNATURE.upper()),
        (DOC_MIXED_QUERY + DOC_MIXED_BODY, DOC_MIXED_SIGNATURE),
    ],
    ids=["all-in-query", "upper-case-hex", "query-then-body"],
)
def test_binance_hmac_vectors_verify(payload: str, signature: str) -> None:
    assert hmac_signature_valid(secret=DOC_SECRET, payload=payload.encode(), signature=signature)


def test_a_changed_payload_or_secret_does_not_verify() -> None:
    changed = DOC_QUERY.replace("price=0.1", "price=0.2").encode()
    assert not hmac_signature_valid(secret=DOC_SECRET, payload=changed, signature=DOC_SIGNATURE)
    assert not hmac_signature_valid(
        secret=DOC_SECRET[:-1] + "k", payload=DOC_QUERY.encode(), signature=DOC_SIGNATURE
    )
    assert not hmac_signature_valid(
        secret=DOC_SECRET, payload=DOC_QUERY.encode(), signature=DOC_SIGNATURE[:-2]
    )


def test_the_payload_is_query_then_body_without_the_signature_wherever_it_is() -> None:
    signed = f"&signature={DOC_SIGNATURE}".encode()
    assert signed_payload(DOC_QUERY.encode() + signed, b"") == (
        DOC_QUERY.encode(),
        [DOC_SIGNATURE.encode()],
    )
    assert signed_payload(DOC_MIXED_QUERY.encode(), DOC_MIXED_BODY.encode() + signed) == (
        (DOC_MIXED_QUERY + DOC_MIXED_BODY).encode(),
        [DOC_SIGNATURE.encode()],
    )
    assert signed_payload(f"signature=abc&{DOC_MIXED_QUERY}".encode(), b"") == (
        DOC_MIXED_QUERY.encode(),
        [b"abc"],
    )
    # Only a parameter named exactly `signature` is taken out; percent-encoding stays as sent.
    assert signed_payload(b"signatures=1&note=a%20b", b"") == (b"signatures=1&note=a%20b", [])


def test_parameters_come_from_the_query_and_the_body_with_the_query_winning() -> None:
    assert request_parameters(b"timestamp=2&symbol=BTCUSDT", b"timestamp=1&recvWindow=9000") == {
        "timestamp": "2",
        "symbol": "BTCUSDT",
        "recvWindow": "9000",
    }


@pytest.mark.parametrize(
    ("timestamp", "recv_window", "now_ms"),
    [
        ("1000000", None, 1_000_000),
        ("1000000", None, 1_005_000),  # exactly the default window old
        ("1000999", None, 1_000_000),  # 999 ms ahead
        ("1000000", "60000", 1_060_000),
        ("1000000", "1.5", 1_000_001),
        ("1000000000000500", None, 1_000_000_005_000),  # microseconds: 4999.5 ms old
    ],
)
def test_timestamps_inside_the_window_pass(
    timestamp: str, recv_window: str | None, now_ms: int
) -> None:
    timestamp_check(timestamp=timestamp, recv_window=recv_window, now_ms=now_ms)


OUTSIDE = (-1021, "Timestamp for this request is outside of the recvWindow.")
AHEAD = (-1021, "Timestamp for this request was 1000ms ahead of the server's time.")


def malformed(name: str) -> tuple[int, str]:
    return (-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


@pytest.mark.parametrize(
    ("timestamp", "recv_window", "now_ms", "refusal"),
    [
        ("1000000", None, 1_005_001, OUTSIDE),
        ("1000000", "10000", 1_010_001, OUTSIDE),
        ("1000000", "1.5", 1_000_002, OUTSIDE),
        ("1001000", None, 1_000_000, AHEAD),
        ("1000000000000500", None, 1_000_000_005_001, OUTSIDE),  # 5000.5 ms old
        (
            "1000000",
            "60001",
            1_000_000,
            (
                -1102,
                "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
            ),
        ),
        ("1000000", "abc", 1_000_000, malformed("recvWindow")),
        ("1000000", "-5", 1_000_000, malformed("recvWindow")),
        ("1000000", "", 1_000_000, malformed("recvWindow")),
        ("", None, 1_000_000, malformed("timestamp")),
        ("12.5", None, 1_000_000, malformed("timestamp")),
        ("9" * 5000, None, 1_000_000, malformed("timestamp")),
    ],
)
def test_timestamps_outside_the_window_are_refused_with_binance_codes(
    timestamp: str, recv_window: str | None, now_ms: int, refusal: tuple[int, str]
) -> None:
    with pytest.raises(SignedRequestError) as refused:
        timestamp_check(timestamp=timestamp, recv_window=recv_window, now_ms=now_ms)
    assert (refused.value.code, refused.value.message, refused.value.status) == (*refusal, 400)
    assert refused.value.body() == {"code": refusal[0], "msg": refusal[1]}


@pytest.fixture
def doc_key(trader: User) -> ApiKey:
    """Binance's documented example key, as an HMAC key of the trader's."""
    return ApiKey.objects.create(
        user=trader,
        label="doc",
        api_key=DOC_API_KEY,
        kind=ApiKey.Kind.HMAC,
        secret_encrypted=secret_encrypt(secret=DOC_SECRET, api_key=DOC_API_KEY),
    )


def verify(
    api_key: str | None = DOC_API_KEY,
    query: str = f"{DOC_QUERY}&signature={DOC_SIGNATURE}",
    body: str = "",
    now_ms: int = DOC_TIMESTAMP + 100,
) -> int:
    parameters = request_parameters(query.encode(), body.encode())
    return signed_request_verify(
        api_key=api_key,
        query_string=query.encode(),
        body=body.encode(),
        timestamp=parameters.get("timestamp"),
        recv_window=parameters.get("recvWindow"),
        now_ms=now_ms,
    )


@pytest.mark.django_db
def test_binance_documented_requests_verify_as_the_keys_user(doc_key: ApiKey) -> None:
    assert verify() == doc_key.user_id
    assert verify(query=DOC_MIXED_QUERY, body=f"{DOC_MIXED_BODY}&signature={DOC_MIXED_SIGNATURE}")
    assert verify(query=f"{DOC_MIXED_QUERY}&signature={DOC_MIXED_SIGNATURE}", body=DOC_MIXED_BODY)


KEY_FORMAT = (-2014, "API-key format invalid.", 401)
KEY_REJECTED = (-2015, "Invalid API-key, IP, or permissions for action.", 401)
BAD_SIGNATURE = (-1022, "Signature for this request is not valid.", 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("request_fields", "refusal"),
    [
        ({"api_key": None}, KEY_FORMAT),
        ({"api_key": ""}, KEY_FORMAT),
        ({"api_key": DOC_API_KEY[:-1]}, KEY_FORMAT),
        ({"api_key": DOC_API_KEY[:-1] + "-"}, KEY_FORMAT),
        ({"api_key": "x" * 64}, KEY_REJECTED),
        ({"query": f"{DOC_QUERY}&signature={'0' * 64}"}, BAD_SIGNATURE),
        ({"query": f"{DOC_QUERY}&signature=nothex"}, BAD_SIGNATURE),
        (
            {"query": f"{DOC_QUERY.replace('=0.1', '=0.2')}&signature={DOC_SIGNATURE}"},
            BAD_SIGNATURE,
        ),
        ({"now_ms": DOC_TIMESTAMP + 5001}, (*OUTSIDE, 400)),
        ({"now_ms": DOC_TIMESTAMP - 1000}, (*AHEAD, 400)),
        ({"query": DOC_QUERY}, (*malformed("signature"), 400)),
        ({"query": f"{DOC_QUERY}&signature="}, (*malformed("signature"), 400)),
        (
            {"query": f"{DOC_QUERY.replace('&timestamp=1499827319559', '')}&signature=00"},
            (*malformed("timestamp"), 400),
        ),
        (
            {"query": f"{DOC_QUERY}&signature={DOC_SIGNATURE}&signature={DOC_SIGNATURE}"},
            (-1101, "Duplicate values for a parameter detected.", 400),
        ),
        (
            {
                "query": f"{DOC_QUERY.replace('recvWindow=5000', 'recvWindow=60001')}"
                f"&signature={DOC_SIGNATURE}"
            },
            (-1102, "'recvWindow' contains unexpected value. Cannot be greater than 60000.", 400),
        ),
    ],
    ids=[
        "missing-key",
        "empty-key",
        "short-key",
        "key-with-a-dash",
        "unknown-key",
        "wrong-signature",
        "signature-not-hex",
        "changed-parameter",
        "old-timestamp",
        "future-timestamp",
        "no-signature",
        "empty-signature",
        "no-timestamp",
        "two-signatures",
        "recv-window-too-large",
    ],
)
def test_refusals_carry_binance_code_message_and_status(
    doc_key: ApiKey, request_fields: dict[str, Any], refusal: tuple[int, str, int]
) -> None:
    with pytest.raises(SignedRequestError) as refused:
        verify(**request_fields)
    assert (refused.value.code, refused.value.message, refused.value.status) == refusal


@pytest.mark.django_db
def test_a_revoked_key_is_refused_at_once(doc_key: ApiKey) -> None:
    assert verify() == doc_key.user_id
    assert apikey_revoke(user_id=doc_key.user_id, api_key_id=doc_key.pk)
    with pytest.raises(SignedRequestError) as refused:
        verify()
    assert (refused.value.code, refused.value.status) == (-2015, 401)


@pytest.mark.django_db
def test_a_secret_stored_under_another_secret_key_is_refused(
    doc_key: ApiKey, settings: Any
) -> None:
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(SignedRequestError) as refused:
        verify()
    assert (refused.value.code, refused.value.status) == (-2015, 401)


@pytest.mark.django_db
def test_a_key_created_by_the_service_verifies_its_own_signature(trader: User) -> None:
    import hashlib
    import hmac

    created = apikey_create(user_id=trader.pk, label="bot")
    assert created.secret_key is not None
    query = "symbol=BTCUSDT&timestamp=1700000000000&recvWindow=10000"
    signature = hmac.new(created.secret_key.encode(), query.encode(), hashlib.sha256).hexdigest()
    assert (
        verify(
            api_key=created.key.api_key,
            query=f"{query}&signature={signature}",
            now_ms=1_700_000_009_000,
        )
        == trader.pk
    )


@pytest.mark.django_db
def test_an_ed25519_key_verifies_base64_signatures_over_the_same_payload(trader: User) -> None:
    private_key = ed25519.Ed25519PrivateKey.generate()
    pem = (
        private_key.public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = apikey_create(user_id=trader.pk, label="ed", public_key=pem).key
    query = "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2"
    body = "timestamp=1700000000000"
    signature = base64.b64encode(private_key.sign((query + body).encode())).decode()
    now = 1_700_000_000_500
    # ccxt percent-encodes the base64 signature; python-binance sends it as it is.
    assert verify(key.api_key, query, f"{body}&signature={quote(signature, safe='')}", now) == (
        trader.pk
    )
    assert verify(key.api_key, f"{query}&signature={signature}", body, now) == trader.pk

    other = base64.b64encode(ed25519.Ed25519PrivateKey.generate().sign(b"x" * 10)).decode()
    for bad_signature in (other, "not base64!", signature.lower()):
        with pytest.raises(SignedRequestError) as refused:
            verify(key.api_key, query, f"{body}&signature={quote(bad_signature, safe='')}", now)
        assert (refused.value.code, refused.value.status) == (-1022, 400)
    with pytest.raises(SignedRequestError) as tampered:
        verify(key.api_key, query.replace("0.2", "0.3"), f"{body}&signature={signature}", now)
    assert tampered.value.code == -1022

    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    with pytest.raises(SignedRequestError) as revoked:
        verify(key.api_key, query, f"{body}&signature={signature}", now)
    assert revoked.value.code == -2015


@given(st.text(alphabet="ab=&%+2F é", max_size=30))
def test_form_pairs_read_as_parse_qsl_does(text: str) -> None:
    assert form_pairs(text) == dict(parse_qsl(text, keep_blank_values=True))
