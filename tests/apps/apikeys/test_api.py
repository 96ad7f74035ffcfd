"""REST of API keys: create (HMAC with its secret once, or Ed25519 from a PEM), list without
secrets, revoke; by session and by JWT; per user."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.db import connection
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.secret_box import secret_decrypt
from paperex.apps.apikeys.services import MAX_ACTIVE_KEYS, apikey_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def jwt_client(username: str) -> APIClient:
    client = APIClient()
    tokens = client.post("/api/token/", {"username": username, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    return client


def session_client(username: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=False)
    assert client.login(username=username, password=PASSWORD)
    return client


def public_pem(key: Any) -> str:
    return str(key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode())


def stored_columns(key_id: int) -> tuple[str, str]:
    """The key's ``secret_encrypted`` and ``public_key`` as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_encrypted, public_key FROM apikeys_apikey WHERE id = %s", [key_id]
        )
        secret, public = cursor.fetchone()
    return secret, public


@pytest.mark.parametrize("make_client", [jwt_client, session_client], ids=["jwt", "session"])
def test_create_list_and_revoke_an_hmac_key(trader: User, make_client: Any) -> None:
    client = make_client(trader.username)
    created = client.post("/api/keys/", {"label": "my bot"}, format="json")
    assert created.status_code == 201, created.json()
    assert created["Cache-Control"] == "no-store"
    body = created.json()
    assert set(body) == {
        "id",
        "label",
        "kind",
        "api_key",
        "secret_key",
        "public_key",
        "created_at",
    }
    assert (body["label"], body["kind"], body["public_key"]) == ("my bot", "HMAC", "")
    assert len(body["api_key"]) == 64
    assert body["api_key"].isalnum()
    assert len(body["secret_key"]) == 64

    secret_column, _ = stored_columns(body["id"])
    assert body["secret_key"] not in secret_column
    assert secret_column.startswith("v1:")
    assert secret_decrypt(stored=secret_column, api_key=body["api_key"]) == body["secret_key"]

    listed = client.get("/api/keys/")
    assert listed.status_code == 200
    [row] = listed.json()["results"]
    assert row == {key: value for key, value in body.items() if key != "secret_key"}
    assert body["secret_key"] not in listed.content.decode()

    assert client.delete(f"/api/keys/{body['id']}/").status_code == 204
    assert client.get("/api/keys/").json()["results"] == []
    assert ApiKey.objects.get(id=body["id"]).revoked_at is not None
    again = client.delete(f"/api/keys/{body['id']}/")
    assert again.status_code == 404
    assert again.json() == {"code": "not_found", "message": f"No API key {body['id']}."}


def test_an_ed25519_key_is_registered_without_a_secret(trader: User) -> None:
    client = jwt_client(trader.username)
    pem = public_pem(ed25519.Ed25519PrivateKey.generate().public_key())
    created = client.post("/api/keys/", {"label": "ed", "public_key": pem}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["secret_key"], body["public_key"]) == ("ED25519", None, pem)
    assert stored_columns(body["id"]) == ("", pem)
    assert [row["kind"] for row in client.get("/api/keys/").json()["results"]] == ["ED25519"]


@pytest.mark.parametrize(
    ("public_key", "problem"),
    [
        ("not a key", "Not a public key in PEM format."),
        (
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            "Not a public key in PEM format.",
        ),
        (
            public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()),
            "Only Ed25519 public keys are accepted.",
        ),
    ],
    ids=["text", "bad-pem", "rsa"],
)
def test_a_public_key_that_is_no_ed25519_pem_is_a_400(
    trader: User, public_key: str, problem: str
) -> None:
    answer = jwt_client(trader.username).post(
        "/api/keys/", {"label": "ed", "public_key": public_key}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "invalid",
        "message": f"public_key: {problem}",
        "errors": {"public_key": [problem]},
    }
    assert not ApiKey.objects.exists()


def test_a_label_is_needed(trader: User) -> None:
    client = jwt_client(trader.username)
    for data in ({}, {"label": ""}, {"label": "x" * 65}):
        answer = client.post("/api/keys/", data, format="json")
        assert answer.status_code == 400, data
        assert answer.json()["code"] == "invalid"
        assert "label" in answer.json()["errors"]


def test_another_users_key_is_a_404_and_stays_active(trader: User) -> None:
    bob = user_register(username="bob", password=PASSWORD)
    bobs = apikey_create(user_id=bob.pk, label="bob's").key
    client = jwt_client(trader.username)
    answer = client.delete(f"/api/keys/{bobs.pk}/")
    assert answer.status_code == 404
    assert client.get("/api/keys/").json()["results"] == []
    bobs.refresh_from_db()
    assert bobs.revoked_at is None
    assert [row["id"] for row in jwt_client("bob").get("/api/keys/").json()["results"]] == [bobs.pk]


def test_anonymous_callers_are_refused() -> None:
    client = APIClient()
    assert client.get("/api/keys/").status_code == 401
    assert client.post("/api/keys/", {"label": "x"}, format="json").status_code == 401
    assert client.delete("/api/keys/1/").status_code == 401


def test_a_user_has_at_most_thirty_active_keys(trader: User) -> None:
    for number in range(MAX_ACTIVE_KEYS):
        apikey_create(user_id=trader.pk, label=f"key {number}")
    client = jwt_client(trader.username)
    refused = client.post("/api/keys/", {"label": "one more"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "too_many_api_keys"
    oldest = ApiKey.objects.filter(user=trader).order_by("id").first()
    assert oldest is not None
    assert client.delete(f"/api/keys/{oldest.pk}/").status_code == 204
    assert client.post("/api/keys/", {"label": "one more"}, format="json").status_code == 201
