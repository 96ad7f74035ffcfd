from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.protocol import EngineUnavailableError

pytestmark = pytest.mark.django_db


def register(client: APIClient, **fields: str):  # type: ignore[no-untyped-def]
    body = {"username": "bob", "password": "a-long-unusual-pass", **fields}
    return client.post("/api/auth/register/", body, format="json")


def test_registration_creates_a_user_with_the_starting_balances(
    api_client: APIClient, seeded: None
) -> None:
    response = register(api_client, email="bob@example.com")
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == "bob"
    assert "password" not in response.json()
    user = User.objects.get(username="bob")
    assert user.check_password("a-long-unusual-pass")
    balances = {b.asset.code: str(b.free) for b in user.balances.select_related("asset")}
    assert balances == {"USDT": "100000.000000000000", "USD": "100000.000000000000"}


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"password": "123"}, "password", "too short"),
        ({"password": "password123"}, "password", "too common"),
        ({"username": "x y"}, "username", "letters, digits"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_bad_registration_is_a_400_with_a_message(
    api_client: APIClient, seeded: None, fields: dict[str, str], field: str, fragment: str
) -> None:
    response = register(api_client, **fields)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith(f"{field}: ")
    assert fragment in body["message"]
    assert field in body["errors"]
    assert not User.objects.filter(username=fields.get("username", "bob")).exists()


def test_missing_fields_and_taken_username_are_400s(api_client: APIClient, trader: User) -> None:
    missing = api_client.post("/api/auth/register/", {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"username", "password"}

    taken = register(api_client, username="ALICE")
    assert taken.status_code == 400
    assert taken.json()["message"] == "username: This username is taken."


def test_jwt_obtain_refresh_and_an_authenticated_call(api_client: APIClient, trader: User) -> None:
    unauthenticated = api_client.get("/api/account/")
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "not_authenticated"

    tokens = api_client.post(
        "/api/token/", {"username": "alice", "password": "correct-horse-battery"}, format="json"
    )
    assert tokens.status_code == 200
    access, refresh = tokens.json()["access"], tokens.json()["refresh"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    account = api_client.get("/api/account/")
    assert account.status_code == 200
    assert account.json()["username"] == "alice"
    assert {"asset": "USDT", "free": "100000", "locked": "0"} in account.json()["balances"]

    refreshed = APIClient().post("/api/token/refresh/", {"refresh": refresh}, format="json")
    assert refreshed.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert api_client.get("/api/account/").status_code == 200


def test_wrong_password_and_bad_tokens_are_401s(api_client: APIClient, trader: User) -> None:
    wrong = api_client.post("/api/token/", {"username": "alice", "password": "nope"}, format="json")
    assert wrong.status_code == 401
    assert wrong.json()["message"]
    assert (
        api_client.post("/api/token/refresh/", {"refresh": "junk"}, format="json").status_code
        == 401
    )
    api_client.credentials(HTTP_AUTHORIZATION="Bearer junk")
    assert api_client.get("/api/account/").status_code == 401


def test_web_login_and_logout(client, trader: User) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b'<label for="id_username">' in page.content
    failed = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert b"Wrong username or password" in failed.content
    logged_in = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert logged_in.status_code == 302
    assert b"alice" in client.get("/").content
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/account/").status_code in {401, 403}


@pytest.mark.django_db(transaction=True)
def test_no_user_is_created_when_the_engine_runs_out_of_reach(seeded: None, settings: Any) -> None:
    """A host holds the engine lock but this process has no way to send it commands (the
    embedded server is running and there is no Redis): registering fails as a whole."""
    settings.PAPEREX_REDIS_URL = None
    host = EngineHost()
    host.start()  # takes the lock; not attached to this process's engine_gateway
    try:
        with pytest.raises(EngineUnavailableError, match="stop the server first"):
            user_register(username="carol", password="a-long-unusual-pass")
    finally:
        host.stop()
    assert not User.objects.filter(username="carol").exists()
