from __future__ import annotations

import pytest
from django.test import Client

from paperex.apps.accounts.models import User

pytestmark = pytest.mark.django_db

ICON = "/static/core/favicon.svg"


def test_favicon_ico_leads_to_the_svg_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == ICON
    icon = client.get(ICON)
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/web/signup/", "/web/markets/", "/web/portfolio/"]
)
def test_every_page_names_the_icon(client: Client, trader: User, path: str) -> None:
    client.force_login(trader)
    page = client.get(path).content.decode()
    assert f'<link rel="icon" href="{ICON}" type="image/svg+xml">' in page
