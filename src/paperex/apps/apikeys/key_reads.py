"""Reads of active API keys for signed requests served on the event loop (the Binance order
lane). The keys asked for while a read is under way are read together by the next one: one
statement in a worker thread per batch, where a read per request cost each request a thread
hop and a query. The lane keeps what it read (``key_cache``): a key is read here once, then
again only after a refusal."""

from __future__ import annotations

import asyncio
from weakref import WeakKeyDictionary

from channels.db import database_sync_to_async

from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.selectors import apikeys_active


def _read(api_keys: list[str]) -> dict[str, ApiKey]:
    return apikeys_active(api_keys=api_keys)


_read_in_thread = database_sync_to_async(_read, thread_sensitive=False)


class _Reads:
    """The keys asked for on one event loop and the task reading them."""

    def __init__(self) -> None:
        self.asked: dict[str, list[asyncio.Future[ApiKey | None]]] = {}
        self.reading: asyncio.Task[None] | None = None

    async def read_all(self) -> None:
        while self.asked:
            asked, self.asked = self.asked, {}
            try:
                found = await _read_in_thread(list(asked))
            except Exception as error:  # the database away: each request raises it
                _settle(asked, error)
            else:
                _settle(asked, found)


def _settle(
    asked: dict[str, list[asyncio.Future[ApiKey | None]]], found: dict[str, ApiKey] | Exception
) -> None:
    for api_key, futures in asked.items():
        for future in futures:
            if future.done():  # its request was given up
                continue
            if isinstance(found, Exception):
                future.set_exception(found)
            else:
                future.set_result(found.get(api_key))


_reads: WeakKeyDictionary[asyncio.AbstractEventLoop, _Reads] = WeakKeyDictionary()


async def apikey_active_read(api_key: str) -> ApiKey:
    """The active key ``api_key`` names, read with the others asked for meanwhile; raises
    ApiKey.DoesNotExist (unknown or revoked) and the database's errors."""
    loop = asyncio.get_running_loop()
    reads = _reads.setdefault(loop, _Reads())
    future: asyncio.Future[ApiKey | None] = loop.create_future()
    reads.asked.setdefault(api_key, []).append(future)
    if reads.reading is None or reads.reading.done():
        reads.reading = loop.create_task(reads.read_all())
    key = await future
    if key is None:
        raise ApiKey.DoesNotExist(api_key)
    return key
