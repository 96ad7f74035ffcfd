"""What the host sends out once a batch has committed, and the market data it takes in.

``batch_messages`` turns a committed batch into channel-layer messages, each carrying one of the
views of ``paperex.apps.trading.schemas`` (see ``paperex.apps.core.groups`` for the groups):

- ``user.<id>``: ``order.update`` (``{"user_id", "order": OrderView, "created": bool, "executions":
  [...]}``, once per order the batch created or changed, in its state after the batch; whether
  the batch accepted it, and its fills in the batch in order, each with the order's executed
  quantity and quote after it, so that the order's story in the batch can be told event by
  event, as Binance's user data stream does), ``order.fill`` (``{"fill": FillView}``) and
  ``balance.update`` (``{"user_id", "balances": [BalanceView, ...]}``, every balance the batch
  changed, and ``"transfers": [{"asset", "delta", "time"}]`` when money came in from outside or
  went out: deposits, withdrawals, resets);
- ``market.<SYMBOL>.trades``: ``market.trade``, a PublicTradeView;
- ``market.<SYMBOL>.book``: ``market.book``, a BookLevelsDelta to apply to
  ``GET /api/markets/<symbol>/book/?source=exchange``.

The ``type`` follows Channels' convention: a consumer handles ``order.update`` in
``order_update``. ``ChannelPublisher`` sends them from an event loop; ``ReferenceFeed`` turns the
bus's trades and books of PAPER markets into reference commands for the host.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from channels.layers import get_channel_layer

from paperex.apps.core.amounts import epoch_ms, format_amount
from paperex.apps.core.groups import book_group, trades_group, user_group
from paperex.apps.trading.catalog import Catalog, CatalogMarket
from paperex.apps.trading.host.batch_writer import BatchRecord
from paperex.apps.trading.host.exchange_book import LevelChanges
from paperex.apps.trading.models import Fill, Order
from paperex.apps.trading.schemas import (
    BalanceView,
    BookLevelsDelta,
    FillView,
    OrderView,
    PublicTradeView,
    plain,
)
from paperex.domain import Instrument, MarketMode
from paperex.domain.commands import EngineCommand
from paperex.engine import reference_book_command, reference_trade_command
from paperex.marketdata.bus import MarketDataBus, Subscription
from paperex.marketdata.events import BookDelta, BookSnapshot, Trade
from paperex.support.async_tasks import cancel_and_wait

logger = logging.getLogger(__name__)
Message = tuple[str, dict[str, Any]]
"""(group name, message) for ``channel_layer.group_send``."""
Publisher = Callable[[list[Message]], None]
PUBLISH_QUEUE_LIMIT = 10_000
"""Batches of messages waiting for the channel layer; beyond it the oldest are dropped."""
STOP_SECONDS = 5.0


def batch_messages(
    *,
    catalog: Catalog,
    fee_account_id: int,
    record: BatchRecord,
    book_changes: dict[str, tuple[int, LevelChanges]],
    time: int,
) -> list[Message]:
    """Every message a committed batch produces, in the order to send them."""
    messages: list[Message] = []
    seen: dict[int, Order] = {}
    for orders in record.orders_per_command:
        for order in orders:
            seen[order.id] = order
    fill_views = [
        plain(
            FillView.of(
                fill,
                catalog.market_symbols[fill.market_id],
                catalog.asset_codes[fill.fee_asset_id],
            )
        )
        for fill in record.fills
    ]
    fills_per_order: dict[int, list[tuple[Fill, dict[str, Any]]]] = {}
    for fill, fill_view in zip(record.fills, fill_views, strict=True):
        fills_per_order.setdefault(fill.order_id, []).append((fill, fill_view))
    for order in seen.values():
        view = OrderView.of(order, catalog.market_symbols[order.market_id])
        update = {
            "type": "order.update",
            "user_id": order.user_id,
            "order": plain(view),
            "created": order.id in record.created_order_ids,
            "executions": _executions(order, fills_per_order.get(order.id, [])),
        }
        messages.append((user_group(order.user_id), update))
    for fill, fill_view in zip(record.fills, fill_views, strict=True):
        messages.append((user_group(fill.user_id), {"type": "order.fill", "fill": fill_view}))
    per_user: dict[int, list[dict[str, Any]]] = {}
    for (user_id, asset), (free, locked) in record.balances.items():
        if user_id == fee_account_id:
            continue
        balance = BalanceView(
            asset=asset,
            free=format_amount(catalog.amount(asset, free)),
            locked=format_amount(catalog.amount(asset, locked)),
        )
        per_user.setdefault(user_id, []).append(plain(balance))
    transfers = _transfers(record, catalog)
    for user_id, balances in per_user.items():
        update = {"type": "balance.update", "user_id": user_id, "balances": balances}
        if user_id in transfers:
            update["transfers"] = transfers[user_id]
        messages.append((user_group(user_id), update))
    for trade in record.trades:
        symbol = catalog.market_symbols[trade.market_id]
        trade_view = PublicTradeView.of(trade, symbol)
        messages.append((trades_group(symbol), {"type": "market.trade", **plain(trade_view)}))
    for symbol, (sequence, (bids, asks)) in book_changes.items():
        market = catalog.markets[symbol]
        delta = BookLevelsDelta(
            symbol=symbol,
            sequence=sequence,
            bids=_levels(market, bids),
            asks=_levels(market, asks),
            time=time,
        )
        messages.append((book_group(symbol), {"type": "market.book", **plain(delta)}))
    return messages


def _executions(order: Order, fills: list[tuple[Fill, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The order's fills of the batch, oldest first, each with the order's executed quantity
    and quote right after it (its state after the batch less the fills that came later)."""
    executed, quote = order.executed_quantity, order.cumulative_quote
    executions: list[dict[str, Any]] = []
    for fill, fill_view in reversed(fills):
        executions.append(
            {
                "fill": fill_view,
                "executed_quantity": format_amount(executed),
                "cumulative_quote": format_amount(quote),
            }
        )
        executed -= fill.quantity
        quote -= fill.quote_quantity
    executions.reverse()
    return executions


def _transfers(record: BatchRecord, catalog: Catalog) -> dict[int, list[dict[str, Any]]]:
    """Per user, the money that came in (a positive ``delta``) or went out (negative) from
    outside the exchange: deposits, withdrawals and resets."""
    transfers: dict[int, list[dict[str, Any]]] = {}
    for entry in record.transfers:
        incoming = entry.to_user_id is not None
        user_id = entry.to_user_id if incoming else entry.from_user_id
        if user_id is None:
            continue
        transfers.setdefault(user_id, []).append(
            {
                "asset": catalog.asset_codes[entry.asset_id],
                "delta": format_amount(entry.amount if incoming else -entry.amount),
                "time": epoch_ms(entry.recorded_at),
            }
        )
    return transfers


def _levels(market: CatalogMarket, changes: list[tuple[int, int]]) -> list[list[str]]:
    return [
        [format_amount(market.price(price)), format_amount(market.quantity(lots))]
        for price, lots in changes
    ]


class ChannelPublisher:
    """Sends the host's messages to the channel layer from an event loop, in order.

    The host calls ``publish`` from its writer thread after a commit; sending happens on the
    loop, so a slow channel layer never holds up order entry.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[list[Message] | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def start(self) -> None:
        self._task = self._loop.create_task(self._send_forever(), name="engine-publisher")

    async def stop(self) -> None:
        """Send what is queued (for up to ``STOP_SECONDS``), then stop.

        Ends with a marker rather than a cancel alone: the channel layer's ``group_send`` may
        swallow a cancellation, and the task would then wait on its queue for ever.
        """
        if self._task is None:
            return
        task, self._task = self._task, None
        self._queue.put_nowait(None)
        await asyncio.wait({task}, timeout=STOP_SECONDS)
        if not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=STOP_SECONDS)

    def publish(self, messages: list[Message]) -> None:
        """Thread-safe: queue one committed batch's messages."""
        self._loop.call_soon_threadsafe(self._offer, messages)

    def _offer(self, messages: list[Message]) -> None:
        if self._queue.qsize() >= PUBLISH_QUEUE_LIMIT:
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(messages)

    async def _send_forever(self) -> None:
        layer = get_channel_layer()
        while (messages := await self._queue.get()) is not None:
            for group, message in messages:
                try:
                    await layer.group_send(group, message)
                except Exception:
                    logger.exception("could not publish to %s", group)


class ReferenceFeed:
    """Follows the bus's trades and books of PAPER markets as reference commands for the host,
    so paper orders fill against the venue's market.

    ``subscribe`` before the host restores (nothing published meanwhile is missed: the feed's
    first book snapshot makes the markets ready sooner), ``follow`` once it runs.
    """

    def __init__(self, submit: Callable[[EngineCommand], None]) -> None:
        self._submit = submit
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, bus: MarketDataBus) -> None:
        """Start keeping the bus's trades and books."""
        self._subscription = bus.subscribe(
            kinds={"trade", "book_snapshot", "book_delta"}, maxsize=100_000
        )

    def follow(self, catalog: Catalog) -> None:
        """Submit the kept and the coming events of the catalog's PAPER markets (none: stop)."""
        assert self._subscription is not None
        instruments = {
            symbol: market.spec.instrument
            for symbol, market in catalog.markets.items()
            if market.spec.mode is MarketMode.PAPER
        }
        if not instruments:
            self._subscription.close()
            return
        self._task = asyncio.create_task(
            self._follow(self._subscription, instruments), name="engine-reference-feed"
        )

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    async def _follow(self, subscription: Subscription, instruments: dict[str, Instrument]) -> None:
        async for event in subscription:
            instrument = instruments.get(event.symbol)
            if instrument is None:
                continue
            if isinstance(event, Trade):
                command: EngineCommand = reference_trade_command(event, instrument)
            elif isinstance(event, BookSnapshot | BookDelta):
                command = reference_book_command(
                    event, instrument, is_snapshot=isinstance(event, BookSnapshot)
                )
            else:
                continue
            self._submit(command)
