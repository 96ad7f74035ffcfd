"""What a client sees when a view fails or no endpoint matches: the API's error shape under /api/,
Django's plain error page elsewhere, never a traceback."""

from __future__ import annotations

import pytest
from django.test import Client


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("planted failure")


@pytest.fixture
def client_seeing_errors(db: None) -> Client:
    return Client(raise_request_exception=False)


def test_an_api_failure_answers_500_in_the_apis_error_shape(
    client_seeing_errors: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperex.apps.markets.apis.asset_list", broken)
    response = client_seeing_errors.get("/api/assets/")
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Internal error; it has been logged.",
    }


def test_a_page_failure_answers_djangos_500_page_without_a_traceback(
    client_seeing_errors: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("paperex.apps.web.views.SignupForm", broken)
    response = client_seeing_errors.get("/web/signup/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"planted failure" not in response.content


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_api_path_without_an_endpoint_is_a_json_404_whatever_the_method(
    db: None, method: str
) -> None:
    client = Client(enforce_csrf_checks=True)  # as a bot that sends a bearer token, no cookie
    response = getattr(client, method)(
        "/api/no-such-endpoint/", HTTP_AUTHORIZATION="Bearer some-token"
    )
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No endpoint at /api/no-such-endpoint/",
    }
