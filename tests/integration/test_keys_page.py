"""The API keys page in Chromium (see web_browser): an HMAC key's secret shown once with the
notice to copy it now, copied with its button, listed without it after a reload, revoked after a
confirmation; an Ed25519 key from a pasted PEM; a bad PEM's refusal under its field. Saves
screenshots under tests/artifacts/."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.integration.web_browser import (
    PHONE,
    Browser,
    assert_no_horizontal_overflow,
    bearer,
    expect,
    logged_in_page,
    new_user,
)

# Fixtures, which pytest finds by name in this module.
from tests.integration.web_browser import browser as browser
from tests.integration.web_browser import server as server
from tests.integration.web_browser import server_env as server_env

pytestmark = pytest.mark.integration


def test_create_a_key_see_its_secret_once_and_revoke_it(browser: Browser, server: str) -> None:
    credentials = new_user(server, "keys")
    with logged_in_page(browser, server, credentials, "keys_page") as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
        page.get_by_role("navigation").get_by_role("link", name="API keys", exact=True).click()
        page.wait_for_url("**/web/keys/")
        expect(page.locator("#keys-table tbody tr.empty-row")).to_be_visible()

        # A label is needed.
        page.get_by_role("button", name="Create key").click()
        expect(page.locator("#key-label-error")).to_have_text("Give the key a label.")

        page.get_by_label("Label").fill("trading bot")
        page.get_by_role("button", name="Create key").click()
        created = page.locator("#key-created")
        expect(created).to_be_visible()
        expect(page.locator("#key-created-notice")).to_contain_text(
            "Copy the secret key now: it is not shown again."
        )
        secret = page.locator("#key-created-secret").inner_text()
        api_key = page.locator("#key-created-api-key").inner_text()
        assert len(secret) == 64
        assert len(api_key) == 64
        expect(page.get_by_label("Label")).to_have_value("")

        page.get_by_role("button", name="Copy secret").click()
        expect(page.locator("#key-copy-status")).to_have_text("Secret key copied.")
        assert page.evaluate("() => navigator.clipboard.readText()") == secret

        row = page.locator("#keys-table tbody tr[data-id]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("trading bot")
        expect(row).to_contain_text("HMAC-SHA256")
        expect(row).to_contain_text(api_key)

        # The secret is told once: after a reload it is nowhere on the page.
        page.reload()
        expect(row).to_have_count(1)
        expect(row).to_contain_text(api_key)
        expect(created).to_be_hidden()
        assert secret not in page.content()

        # Revoking asks first; declined, the key stays; accepted, it is gone, for the API too.
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name="Revoke key trading bot").click()
        expect(row).to_have_count(1)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Revoke key trading bot").click()
        expect(row).to_have_count(0)
        expect(page.locator("#keys-table tbody tr.empty-row")).to_be_visible()
        listed = httpx.get(f"{server}/api/keys/", headers=bearer(server, credentials), timeout=30)
        assert listed.json()["results"] == []


def test_an_ed25519_key_from_a_pem_and_a_bad_pem_refused_on_a_phone(
    browser: Browser, server: str
) -> None:
    credentials = new_user(server, "keys-ed")
    with logged_in_page(browser, server, credentials, "keys_page_phone", PHONE) as page:
        page.goto("/web/keys/")
        expect(page.locator("#keys-table tbody tr.empty-row")).to_be_visible()

        page.get_by_label("Label").fill("signed")
        page.get_by_label("Ed25519 public key (PEM, optional)").fill("not a key")
        page.get_by_role("button", name="Create key").click()
        expect(page.locator("#key-public-key-error")).to_have_text(
            "Not a public key in PEM format."
        )
        public_key = page.get_by_label("Ed25519 public key (PEM, optional)")
        expect(public_key).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#key-created")).to_be_hidden()
        expect(page.locator("#keys-table tbody tr.empty-row")).to_be_visible()

        pem = (
            Ed25519PrivateKey.generate()
            .public_key()
            .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        public_key.fill(pem)
        expect(page.locator("#key-public-key-error")).to_have_text("")
        page.get_by_role("button", name="Create key").click()
        expect(page.locator("#key-created-notice")).to_contain_text("keeps no secret")
        expect(page.locator("#key-created-secret-row")).to_be_hidden()
        row = page.locator("#keys-table tbody tr[data-id]")
        expect(row).to_contain_text("Ed25519")
        assert_no_horizontal_overflow(page)
