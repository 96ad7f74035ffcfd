"""Live paper bots on the event loop of the process that runs them: each closed candle of a
bot's market and interval is one decision (``bot_decisions``), one at a time per bot."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from asgiref.sync import sync_to_async
from django.conf import settings

from paperex.apps.core.leadership import Lead
from paperex.apps.marketdata.runtime import runtime
from paperex.apps.research.models import Bot
from paperex.marketdata.events import Event, Kline


class BotRunner:
    """Turns closed candles into the running bots' decisions, one candle at a time per bot.

    Bots run in one process: the ``paperex bots`` process that leads the role (``lease``), else
    the process that runs the feeds unless ``PAPEREX_RUN_BOTS`` is off; every other process that
    follows the market data leaves them alone.
    """

    def __init__(self) -> None:
        self.lease: Lead | None = None
        """The bots role's lead, in a ``paperex bots`` process."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def runs_here(self) -> bool:
        """Whether this process runs the bots."""
        if self.lease is not None:
            return self.lease.valid()
        return runtime.pipeline is not None and settings.PAPEREX_RUN_BOTS

    def on_event(self, event: Event) -> None:
        """The market-data listener: a closed candle of a bot interval starts its decisions."""
        if not isinstance(event, Kline) or not event.closed or event.interval not in Bot.INTERVALS:
            return
        if self.runs_here:
            task = asyncio.get_running_loop().create_task(self.candle_closed(event))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def candle_closed(self, candle: Kline) -> None:
        """Every running bot of the candle's market and interval decides on it."""
        # numpy, the strategies and the order service load where bots run, when they first
        # decide: not in every command's start-up.
        from paperex.apps.research.bot_decisions import bot_decide
        from paperex.apps.research.selectors import running_bots

        bots = await sync_to_async(running_bots)(symbol=candle.symbol, interval=candle.interval)
        for bot in bots:
            async with self._locks[bot.pk]:
                if self.lease is not None and not self.lease.valid():
                    return  # a standby took the bots over meanwhile
                await bot_decide(bot, candle)


bot_runner = BotRunner()
"""This process's bots (they decide where the feeds run)."""
