"""The order lane's reads of API keys: the keys asked for together are read in one statement,
each request gets its own key's answer, and nothing is remembered between reads (a key revoked
is refused by the next read)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync

from paperex.apps.accounts.models import User
from paperex.apps.apikeys import key_reads
from paperex.apps.apikeys.key_reads import apikey_active_read
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.selectors import apikeys_active
from paperex.apps.apikeys.services import apikey_create, apikey_revoke

pytestmark = pytest.mark.django_db(transaction=True)  # the reads run on a worker thread


def new_key(user: User) -> ApiKey:
    return apikey_create(user_id=user.pk, label="bot").key


def test_keys_asked_together_are_read_in_one_statement_each_with_its_answer(
    trader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = User.objects.create_user(username="bob", password="correct-horse-battery")
    active, revoked = new_key(trader), new_key(other)
    assert apikey_revoke(user_id=other.pk, api_key_id=revoked.pk)
    statements: list[list[str]] = []
    read = apikeys_active

    def counted(*, api_keys: list[str]) -> dict[str, ApiKey]:
        statements.append(sorted(api_keys))
        return read(api_keys=api_keys)

    monkeypatch.setattr(key_reads, "apikeys_active", counted)

    async def together() -> list[ApiKey | BaseException]:
        keys = (active.api_key, revoked.api_key, active.api_key)
        return await asyncio.gather(*map(apikey_active_read, keys), return_exceptions=True)

    first, second, third = async_to_sync(together)()
    assert isinstance(first, ApiKey)
    assert isinstance(third, ApiKey)
    assert (first.pk, first.user_id, third.pk) == (active.pk, trader.pk, active.pk)
    assert first.secret_encrypted == active.secret_encrypted
    assert isinstance(second, ApiKey.DoesNotExist)
    assert statements == [sorted({active.api_key, revoked.api_key})]


def test_a_key_revoked_between_two_reads_is_refused_by_the_second(trader: User) -> None:
    key = new_key(trader)
    assert async_to_sync(apikey_active_read)(key.api_key).pk == key.pk
    assert apikey_revoke(user_id=trader.pk, api_key_id=key.pk)
    with pytest.raises(ApiKey.DoesNotExist):
        async_to_sync(apikey_active_read)(key.api_key)
