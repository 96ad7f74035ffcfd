"""This process's one reader of the exchange's market groups (``market.<SYMBOL>.trades`` and
``.book``): the host publishes each committed trade and book update there once, and the reader
hands it on to the Binance streams of this process, rather than every socket joining the
channel layer on its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from channels.layers import BaseChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], None]


REJOIN_SECONDS = 3600.0
"""How long the reader waits for a message before it joins its groups again: the channel layer
forgets a member after a day (channels_redis's group expiry)."""
RETRY_SECONDS = 1.0
"""The wait before reading again after the channel layer failed (Redis away)."""


class ExchangeGroupReader:
    """Joins groups on demand and reads them on one channel for as long as the loop runs. While
    the channel layer fails (Redis away) it retries every ``RETRY_SECONDS``, then joins its
    groups again (a restarted Redis has forgotten them)."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._channel = ""
        self._handlers: dict[str, Handler] = {}
        self._groups: set[str] = set()

    async def join(self, group: str, message_type: str, handler: Handler) -> None:
        """Hand ``group``'s messages of ``message_type`` to ``handler`` from now on (joining
        again renews the layer's expiry of the group)."""
        self._handlers[message_type] = handler
        layer = get_channel_layer()
        if layer is None:
            return
        task = self._task
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            # The default prefix, as every channel of the process (see config.channel_layer).
            self._channel = await layer.new_channel()
            self._task = asyncio.create_task(
                self._read_forever(layer, self._channel), name="binance-stream-groups"
            )
        self._groups.add(group)
        await layer.group_add(group, self._channel)

    async def _read_forever(self, layer: BaseChannelLayer, channel: str) -> None:
        rejoin = away = False
        task = asyncio.current_task()
        assert task is not None
        # Asked, not assumed: Python 3.11's wait_for hands back a message that arrived as the
        # reader was cancelled and drops the cancel; a reader that read on would never end.
        while not task.cancelling():
            try:
                if rejoin:
                    await self._rejoin(layer, channel)
                    rejoin = False
                message = await asyncio.wait_for(layer.receive(channel), REJOIN_SECONDS)
            except TimeoutError:  # an hour without a message: renew the groups before they expire
                rejoin = True
                continue
            except Exception as error:  # the layer is away; a restarted Redis forgot the groups
                if not away:
                    logger.warning("Binance streams wait for the channel layer: %s", error)
                rejoin = away = True
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if away:
                logger.info("Binance streams read the channel layer again")
                away = False
            self._handle(message)
        raise asyncio.CancelledError

    async def _rejoin(self, layer: BaseChannelLayer, channel: str) -> None:
        for group in list(self._groups):
            await layer.group_add(group, channel)

    def _handle(self, message: dict[str, Any]) -> None:
        handler = self._handlers.get(message.get("type", ""))
        if handler is None:
            return
        try:
            handler(message)
        except Exception:  # one bad message must not stop the streams
            logger.exception("could not publish %s", message.get("type"))


exchange_groups = ExchangeGroupReader()
"""This process's reader."""
