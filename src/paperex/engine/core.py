"""The matching engine: commands in, events out, deterministic for a given command sequence.

Price-time priority per market over integer ticks and lots; balances in integer asset units
(see ``paperex.engine.market`` for the scales). Nothing here reads a clock, generates random
ids or does I/O: time is the ``timestamp`` of each command and ids come from counters that a
snapshot carries across restarts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from paperex.domain.asset import Asset
from paperex.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    Deposit,
    EngineCommand,
    PlaceOrder,
    RecordReferenceTrade,
    ResetAccount,
    UpdateReferenceBook,
    Withdraw,
)
from paperex.domain.events import (
    AmendRejected,
    CancelRejected,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderTriggered,
    TradeExecuted,
    TransferRejected,
)
from paperex.domain.ledger import LedgerBucket, LedgerReason
from paperex.domain.market_spec import MarketSpec
from paperex.domain.orders import (
    ExpiryReason,
    Liquidity,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    TimeInForce,
)
from paperex.domain.records import BalanceRecord, OpenOrder
from paperex.domain.side import Side
from paperex.engine.accounts import Accounts, Balance
from paperex.engine.filters import check_place_order
from paperex.engine.liquidity import crosses, walk_liquidity
from paperex.engine.market import MarketState, fee_for
from paperex.engine.order import WorkingOrder
from paperex.engine.paper_fills import reference_trade_fills, shorten_queues
from paperex.engine.snapshot import EngineSnapshot

FREE = LedgerBucket.FREE
LOCKED = LedgerBucket.LOCKED
EXTERNAL = LedgerBucket.EXTERNAL
REFERENCE = LedgerBucket.REFERENCE
TRADE = LedgerReason.TRADE
FEE = LedgerReason.FEE
BUY = Side.BUY
SELL = Side.SELL
NONE = SelfTradePrevention.NONE
EXPIRE_TAKER = SelfTradePrevention.EXPIRE_TAKER
EXPIRE_MAKER = SelfTradePrevention.EXPIRE_MAKER
MARKET = OrderType.MARKET
LIMIT_MAKER = OrderType.LIMIT_MAKER
GTC = TimeInForce.GTC
FOK = TimeInForce.FOK
NEW = OrderStatus.NEW
FILLED = OrderStatus.FILLED
PARTIALLY_FILLED = OrderStatus.PARTIALLY_FILLED
EXPIRED = OrderStatus.EXPIRED
CANCELED = OrderStatus.CANCELED
LOCK = LedgerReason.LOCK
RELEASE = LedgerReason.RELEASE
UNKNOWN_ORDER = RejectReason.UNKNOWN_ORDER
WOULD_MATCH_IMMEDIATELY = RejectReason.WOULD_MATCH_IMMEDIATELY
TIME_IN_FORCE = ExpiryReason.TIME_IN_FORCE
SELF_TRADE_PREVENTION = ExpiryReason.SELF_TRADE_PREVENTION
INSUFFICIENT_LOCK = ExpiryReason.INSUFFICIENT_LOCK
TAKER = Liquidity.TAKER
MAKER = Liquidity.MAKER
UNLIMITED = 1 << 62
"""A quantity no order reaches: the cap of a walk that is limited by quote only."""


class MatchingEngine:
    """Order books, stops, reference books and balances for a set of markets.

    Build it empty with ``MatchingEngine(assets=..., markets=...)`` or from persisted state with
    ``MatchingEngine.restore(...)``; feed it commands with ``process``.
    """

    def __init__(
        self,
        *,
        assets: Iterable[Asset],
        markets: Iterable[MarketSpec],
        fee_account_id: int = 0,
    ) -> None:
        self._assets = {asset.code: asset for asset in assets}
        self._markets = {spec.symbol: MarketState(spec, self._assets) for spec in markets}
        self._accounts = Accounts(fee_account_id)
        self._orders: dict[int, WorkingOrder] = {}
        self._client_orders: dict[int, dict[str, WorkingOrder]] = {}
        self._next_order_id = 1
        self._next_trade_id = 1
        self._next_priority = 1
        self._events: list[Event] = []
        self._timestamp = 0
        self._handlers: dict[type[Any], Callable[[Any], None]] = {
            PlaceOrder: self._place,
            CancelOrder: self._cancel,
            CancelAllOrders: self._cancel_all,
            AmendOrder: self._amend,
            Deposit: self._deposit,
            Withdraw: self._withdraw,
            ResetAccount: self._reset,
            UpdateReferenceBook: self._update_reference_book,
            RecordReferenceTrade: self._record_reference_trade,
        }

    # ----------------------------------------------------------------- public interface

    def process(self, command: EngineCommand) -> list[Event]:
        """The events ``command`` causes, in order; raises TypeError for a non-command.

        Refusals are events (OrderRejected, CancelRejected, ...), never exceptions.
        """
        try:
            handler = self._handlers[type(command)]
        except KeyError:
            raise TypeError(f"not an engine command: {command!r}") from None
        accounts = self._accounts
        events: list[Event] = []
        self._events = accounts.events = events
        self._timestamp = accounts.timestamp = command.timestamp
        handler(command)
        if accounts.touched:
            accounts.flush()
        return events

    @classmethod
    def restore(
        cls,
        *,
        assets: Iterable[Asset],
        markets: Iterable[MarketSpec],
        snapshot: EngineSnapshot,
        fee_account_id: int = 0,
    ) -> MatchingEngine:
        """An engine holding ``snapshot``'s open orders and balances, ready to continue.

        Orders return to their levels in ``priority`` order. Raises ValueError when the
        snapshot is inconsistent: an unknown market or asset, a MARKET order that could not be
        open, or locked balances that differ from what the open orders hold.
        """
        engine = cls(assets=assets, markets=markets, fee_account_id=fee_account_id)
        engine._load(snapshot)
        return engine

    def snapshot(self) -> EngineSnapshot:
        """Everything ``restore`` needs to rebuild this engine's state."""
        return EngineSnapshot(
            open_orders=tuple(
                order.record() for order in sorted(self._orders.values(), key=_by_order_id)
            ),
            balances=tuple(self.balances()),
            last_prices=tuple(
                (symbol, market.last_price)
                for symbol, market in sorted(self._markets.items())
                if market.last_price is not None
            ),
            next_order_id=self._next_order_id,
            next_trade_id=self._next_trade_id,
            next_entry_id=self._accounts.next_entry_id,
            next_priority=self._next_priority,
        )

    def balance(self, user_id: int, asset: str) -> BalanceRecord:
        """The balance of ``user_id`` in ``asset`` (zero when never touched)."""
        balance = self._accounts.balances.get((user_id, asset))
        if balance is None:
            return BalanceRecord(user_id=user_id, asset=asset, free=0, locked=0)
        return balance.record()

    def balances(self) -> list[BalanceRecord]:
        """Every balance ever touched, including the fee account's, by (user id, asset)."""
        return [balance.record() for _, balance in sorted(self._accounts.balances.items())]

    @property
    def market_specs(self) -> list[MarketSpec]:
        """The specs of the markets this engine runs, by symbol."""
        return [market.spec for _, market in sorted(self._markets.items())]

    @property
    def fee_account_id(self) -> int:
        """The user id whose free balances collect the fees."""
        return self._accounts.fee_account_id

    def order(self, order_id: int) -> OpenOrder | None:
        """The open order ``order_id``, or None when it is unknown or no longer open."""
        order = self._orders.get(order_id)
        return None if order is None else order.record()

    def open_orders(self, user_id: int | None = None, symbol: str | None = None) -> list[OpenOrder]:
        """Open orders (resting and untriggered stops), optionally of one user and market."""
        return [
            order.record()
            for order in sorted(self._orders.values(), key=_by_order_id)
            if (user_id is None or order.user_id == user_id)
            and (symbol is None or order.market.symbol == symbol)
        ]

    def depth(self, symbol: str, limit: int = 100) -> tuple[list[tuple[int, int]], ...]:
        """(bids, asks) of the users' book, best first, as (price, quantity); KeyError if
        ``symbol`` is unknown."""
        market = self._markets[symbol]
        return market.bids.depth(limit), market.asks.depth(limit)

    def reference_depth(self, symbol: str, limit: int = 100) -> tuple[list[tuple[int, int]], ...]:
        """(bids, asks) of the reference book as paper fills left it; empty when not paper."""
        reference = self._markets[symbol].reference
        if reference is None:
            return [], []
        bids = list(reference.bids.levels_best_first())[:limit]
        asks = list(reference.asks.levels_best_first())[:limit]
        return bids, asks

    def last_price(self, symbol: str) -> int | None:
        """The last trade price of ``symbol`` in ticks, or None before the first trade."""
        return self._markets[symbol].last_price

    # ----------------------------------------------------------------- placing

    def _place(self, command: PlaceOrder) -> None:
        market = self._markets.get(command.symbol)
        if market is None:
            self._reject_place(command, RejectReason.UNKNOWN_SYMBOL, "Invalid symbol.")
            return
        rejection = check_place_order(market, command)
        if rejection is not None:
            self._reject_place(command, *rejection)
            return
        user_id = command.user_id
        client_order_id = command.client_order_id
        client_orders = self._client_orders.get(user_id)
        if client_order_id is not None and client_orders and client_order_id in client_orders:
            self._reject_place(
                command, RejectReason.DUPLICATE_CLIENT_ORDER_ID, "Duplicate order sent."
            )
            return
        order_type = command.order_type
        is_buy = command.side is BUY
        price = command.price or 0
        stop_price = command.stop_price
        if order_type.is_stop and market.last_price is not None:
            assert stop_price is not None
            rises = is_buy == order_type.is_stop_loss
            if market.last_price >= stop_price if rises else market.last_price <= stop_price:
                self._reject_place(
                    command,
                    RejectReason.WOULD_TRIGGER_IMMEDIATELY,
                    "Stop price would trigger immediately.",
                )
                return
        if order_type is LIMIT_MAKER and crosses(market, is_buy, price):
            self._reject_place(
                command,
                RejectReason.WOULD_MATCH_IMMEDIATELY,
                "Order would immediately match and take.",
            )
            return
        stp = command.self_trade_prevention or market.spec.default_self_trade_prevention
        accounts = self._accounts
        base_balance = accounts.get(user_id, market.base_asset)
        quote_balance = accounts.get(user_id, market.quote_asset)
        quantity = command.quantity or 0
        if is_buy:
            lock_balance, receive_balance = quote_balance, base_balance
            if order_type is MARKET:
                quote_amount = command.quote_amount
                if quote_amount is not None:
                    quantity, lock = walk_liquidity(
                        market, user_id, True, 0, stp, UNLIMITED, quote_amount
                    )
                    needed = quote_amount
                else:
                    lock = needed = walk_liquidity(market, user_id, True, 0, stp, quantity, None)[1]
            elif price:
                lock = needed = market.notional(price, quantity)
            else:
                assert stop_price is not None
                numerator, denominator = market.headroom
                lock = needed = -(
                    -market.notional(stop_price, quantity)
                    * (denominator + numerator)
                    // denominator
                )
        else:
            lock_balance, receive_balance = base_balance, quote_balance
            if order_type is MARKET and command.quote_amount is not None:
                quantity = walk_liquidity(
                    market, user_id, False, 0, stp, UNLIMITED, command.quote_amount
                )[0]
            lock = needed = quantity * market.base_units_per_lot
        if lock_balance.free < needed:
            self._reject_place(
                command,
                RejectReason.INSUFFICIENT_BALANCE,
                "Account has insufficient balance for requested action.",
            )
            return
        order_id = self._next_order_id
        self._next_order_id = order_id + 1
        priority = self._next_priority
        self._next_priority = priority + 1
        if client_order_id is None:
            client_order_id = f"paperex-{order_id}"
        order = WorkingOrder(
            order_id=order_id,
            user_id=user_id,
            market=market,
            client_order_id=client_order_id,
            side=command.side,
            order_type=order_type,
            time_in_force=GTC if order_type is LIMIT_MAKER else command.time_in_force,
            price=price,
            stop_price=stop_price,
            quantity=quantity,
            quote_amount=command.quote_amount,
            self_trade_prevention=stp,
            lock_balance=lock_balance,
            receive_balance=receive_balance,
            priority=priority,
            created_at=self._timestamp,
        )
        order.locked = lock
        self._orders[order_id] = order
        if client_orders is None:
            client_orders = self._client_orders[user_id] = {}
        client_orders[client_order_id] = order
        self._events.append(
            OrderAccepted(
                timestamp=self._timestamp,
                order_id=order_id,
                user_id=user_id,
                symbol=market.symbol,
                client_order_id=client_order_id,
                side=command.side,
                order_type=order_type,
                time_in_force=order.time_in_force,
                price=price or None,
                stop_price=stop_price,
                quantity=quantity,
                quote_amount=command.quote_amount,
                self_trade_prevention=stp,
                locked_asset=lock_balance.asset,
                locked=lock,
                priority=priority,
                queue_ahead=self._queue_ahead(market, is_buy, price) if price else 0,
            )
        )
        accounts.lock(lock_balance, lock, order_id)
        if order_type.is_stop:
            market.stops.add(order)
            return
        last_price = market.last_price
        self._execute(market, order)
        if market.last_price != last_price:
            self._run_stops(market)

    def _reject_place(self, command: PlaceOrder, reason: RejectReason, message: str) -> None:
        self._events.append(
            OrderRejected(
                timestamp=self._timestamp,
                user_id=command.user_id,
                symbol=command.symbol,
                client_order_id=command.client_order_id,
                reason=reason,
                message=message,
            )
        )

    def _execute(self, market: MarketState, order: WorkingOrder) -> None:
        """Match an order that just became active, then rest or expire what is left."""
        if order.time_in_force is FOK and order.price:
            available = walk_liquidity(
                market,
                order.user_id,
                order.is_buy,
                order.price,
                order.self_trade_prevention,
                order.remaining,
                None,
            )[0]
            if available < order.remaining:
                self._expire(order, TIME_IN_FORCE)
                return
        if order.remaining:
            self._match(market, order)
        status = order.status
        if status is FILLED or status is EXPIRED:
            return
        if order.price and order.time_in_force is GTC and order.remaining:
            self._rest(market, order)
        else:
            self._expire(order, TIME_IN_FORCE)

    def _rest(self, market: MarketState, order: WorkingOrder) -> None:
        (market.bids if order.is_buy else market.asks).add(order)
        order.is_resting = True
        if market.reference is not None:
            order.queue_ahead = self._queue_ahead(market, order.is_buy, order.price)

    @staticmethod
    def _queue_ahead(market: MarketState, is_buy: bool, price: int) -> int:
        reference = market.reference
        if reference is None:
            return 0
        return (reference.bids if is_buy else reference.asks).quantity_at(price)

    # ----------------------------------------------------------------- matching

    def _match(self, market: MarketState, taker: WorkingOrder) -> None:
        """Trade ``taker`` against the best prices (users first at equal price) while it
        crosses, applying the taker's self-trade prevention."""
        is_buy = taker.is_buy
        book = market.asks if is_buy else market.bids
        prices = book.prices
        levels = book.levels
        reference = market.reference
        reference_side = None
        if reference is not None:
            reference_side = reference.asks if is_buy else reference.bids
        limit = taker.price
        per_lot = market.quote_units_per_tick_lot
        stp = taker.self_trade_prevention
        while taker.remaining:
            level = None
            if prices:
                price = prices[0] if is_buy else prices[-1]
                level = levels[price]
            if reference_side is not None and reference_side.prices:
                reference_price = reference_side.prices[0 if is_buy else -1]
                if level is None or (
                    reference_price < price if is_buy else reference_price > price
                ):
                    level = None
                    price = reference_price
            elif level is None:
                return
            if limit and (price > limit if is_buy else price < limit):
                return
            quantity = taker.remaining
            if is_buy:
                affordable = taker.locked // (price * per_lot)
                if affordable < quantity:
                    if not affordable:
                        self._expire(taker, INSUFFICIENT_LOCK)
                        return
                    quantity = affordable
            if level is None:
                assert reference_side is not None
                available = reference_side.quantities[price]
                if available < quantity:
                    quantity = available
                reference_side.consume(price, quantity)
                self._fill(market, taker, None, is_buy, price, quantity)
                continue
            maker = next(iter(level.values()))
            if maker.user_id == taker.user_id and stp is not NONE:
                if stp is not EXPIRE_TAKER:
                    self._expire(maker, SELF_TRADE_PREVENTION)
                if stp is not EXPIRE_MAKER:
                    self._expire(taker, SELF_TRADE_PREVENTION)
                    return
                continue
            if maker.remaining < quantity:
                quantity = maker.remaining
            self._fill(market, taker, maker, is_buy, price, quantity)

    def _fill(
        self,
        market: MarketState,
        taker: WorkingOrder | None,
        maker: WorkingOrder | None,
        taker_is_buy: bool,
        price: int,
        quantity: int,
    ) -> None:
        """One trade of ``quantity`` at ``price``; None stands for the reference market."""
        trade_id = self._next_trade_id
        self._next_trade_id = trade_id + 1
        timestamp = self._timestamp
        quote = price * quantity * market.quote_units_per_tick_lot
        base = quantity * market.base_units_per_lot
        market.last_price = price
        events = self._events
        events.append(
            TradeExecuted(
                timestamp=timestamp,
                trade_id=trade_id,
                symbol=market.symbol,
                price=price,
                quantity=quantity,
                quote_quantity=quote,
                taker_side=BUY if taker_is_buy else SELL,
                taker_order_id=None if taker is None else taker.order_id,
                taker_user_id=None if taker is None else taker.user_id,
                maker_order_id=None if maker is None else maker.order_id,
                maker_user_id=None if maker is None else maker.user_id,
                is_reference=taker is None or maker is None,
            )
        )
        if maker is not None:
            maker_book = market.bids if maker.is_buy else market.asks
            maker.remaining -= quantity
            if not maker.remaining:
                maker_book.remove(maker)
                maker.is_resting = False
        if taker is not None:
            taker.remaining -= quantity
        buyer, seller = (taker, maker) if taker_is_buy else (maker, taker)
        transfer = self._accounts.transfer
        quote_asset = market.quote_asset
        base_asset = market.base_asset
        if buyer is not None:
            buyer.locked -= quote
            transfer(
                quote_asset,
                quote,
                buyer.lock_balance,
                LOCKED,
                None if seller is None else seller.receive_balance,
                REFERENCE if seller is None else FREE,
                TRADE,
                buyer.order_id,
                trade_id,
            )
        elif seller is not None:
            transfer(
                quote_asset,
                quote,
                None,
                REFERENCE,
                seller.receive_balance,
                FREE,
                TRADE,
                seller.order_id,
                trade_id,
            )
        if seller is not None:
            seller.locked -= base
            transfer(
                base_asset,
                base,
                seller.lock_balance,
                LOCKED,
                None if buyer is None else buyer.receive_balance,
                REFERENCE if buyer is None else FREE,
                TRADE,
                seller.order_id,
                trade_id,
            )
        elif buyer is not None:
            transfer(
                base_asset,
                base,
                None,
                REFERENCE,
                buyer.receive_balance,
                FREE,
                TRADE,
                buyer.order_id,
                trade_id,
            )
        is_reference = taker is None or maker is None
        if taker is not None:
            self._after_fill(
                market, taker, TAKER, trade_id, price, quantity, quote, base, is_reference
            )
        if maker is not None:
            self._after_fill(
                market, maker, MAKER, trade_id, price, quantity, quote, base, is_reference
            )

    def _after_fill(
        self,
        market: MarketState,
        order: WorkingOrder,
        liquidity: Liquidity,
        trade_id: int,
        price: int,
        quantity: int,
        quote: int,
        base: int,
        is_reference: bool,
    ) -> None:
        """Charge the fee, release a buy's price improvement, update totals, report, close."""
        accounts = self._accounts
        received = base if order.is_buy else quote
        fee = fee_for(received, market.taker_fee if liquidity is TAKER else market.maker_fee)
        receive_balance = order.receive_balance
        if fee:
            accounts.transfer(
                receive_balance.asset,
                fee,
                receive_balance,
                FREE,
                accounts.get(accounts.fee_account_id, receive_balance.asset),
                FREE,
                FEE,
                order.order_id,
                trade_id,
            )
        if order.is_buy and order.price > price:
            improvement = (order.price - price) * quantity * market.quote_units_per_tick_lot
            order.locked -= improvement
            accounts.release(order.lock_balance, improvement, order.order_id)
        order.filled += quantity
        order.executed_quote += quote
        status = order.status = FILLED if not order.remaining else PARTIALLY_FILLED
        self._events.append(
            OrderFilled(
                timestamp=self._timestamp,
                order_id=order.order_id,
                user_id=order.user_id,
                symbol=market.symbol,
                trade_id=trade_id,
                side=order.side,
                price=price,
                quantity=quantity,
                quote_quantity=quote,
                liquidity=liquidity,
                fee=fee,
                fee_asset=receive_balance.asset,
                filled=order.filled,
                executed_quote=order.executed_quote,
                locked=order.locked,
                status=status,
                is_reference=is_reference,
            )
        )
        if status is FILLED:
            self._close(order)

    # ----------------------------------------------------------------- ending orders

    def _close(self, order: WorkingOrder) -> None:
        """Forget a finished order and give back whatever it still holds."""
        del self._orders[order.order_id]
        del self._client_orders[order.user_id][order.client_order_id]
        if order.locked:
            locked = order.locked
            order.locked = 0
            self._accounts.release(order.lock_balance, locked, order.order_id)

    def _take_off_book(self, order: WorkingOrder) -> None:
        market = order.market
        if order.is_resting:
            (market.bids if order.is_buy else market.asks).remove(order)
            order.is_resting = False
        elif order.order_type.is_stop and not order.triggered:
            market.stops.remove(order)

    def _expire(self, order: WorkingOrder, reason: ExpiryReason) -> None:
        self._take_off_book(order)
        order.status = EXPIRED
        self._events.append(
            OrderExpired(
                timestamp=self._timestamp,
                order_id=order.order_id,
                user_id=order.user_id,
                symbol=order.market.symbol,
                client_order_id=order.client_order_id,
                filled=order.filled,
                reason=reason,
            )
        )
        self._close(order)

    def _cancel_open_order(self, order: WorkingOrder) -> None:
        self._take_off_book(order)
        order.status = CANCELED
        self._events.append(
            OrderCanceled(
                timestamp=self._timestamp,
                order_id=order.order_id,
                user_id=order.user_id,
                symbol=order.market.symbol,
                client_order_id=order.client_order_id,
                filled=order.filled,
            )
        )
        self._close(order)

    # ----------------------------------------------------------------- cancel and amend

    def _find(
        self, user_id: int, symbol: str, order_id: int | None, client_order_id: str | None
    ) -> WorkingOrder | None:
        if order_id is not None:
            order = self._orders.get(order_id)
        elif client_order_id is not None:
            client_orders = self._client_orders.get(user_id)
            order = None if client_orders is None else client_orders.get(client_order_id)
        else:
            return None
        if order is None or order.user_id != user_id or order.market.symbol != symbol:
            return None
        return order

    def _cancel(self, command: CancelOrder) -> None:
        order = self._find(
            command.user_id, command.symbol, command.order_id, command.client_order_id
        )
        if order is None:
            self._events.append(
                CancelRejected(
                    timestamp=self._timestamp,
                    user_id=command.user_id,
                    symbol=command.symbol,
                    order_id=command.order_id,
                    client_order_id=command.client_order_id,
                    reason=RejectReason.UNKNOWN_ORDER,
                    message="Unknown order sent.",
                )
            )
            return
        self._cancel_open_order(order)

    def _cancel_all(self, command: CancelAllOrders) -> None:
        client_orders = self._client_orders.get(command.user_id)
        if not client_orders:
            return
        symbol = command.symbol
        for order in sorted(client_orders.values(), key=_by_order_id):
            if symbol is None or order.market.symbol == symbol:
                self._cancel_open_order(order)

    def _amend(self, command: AmendOrder) -> None:
        order_id = command.order_id
        if order_id is not None:
            order = self._orders.get(order_id)
            if order is not None and (
                order.user_id != command.user_id or order.market.symbol != command.symbol
            ):
                order = None
        else:
            order = self._find(command.user_id, command.symbol, None, command.client_order_id)
        if order is None:
            self._reject_amend(command, UNKNOWN_ORDER, "Unknown order sent.")
            return
        if not order.is_resting:
            self._reject_amend(
                command,
                RejectReason.ORDER_NOT_AMENDABLE,
                "Only limit orders resting in the book can be amended.",
            )
            return
        market = order.market
        old_price = order.price
        new_price = command.new_price
        if new_price is None:
            new_price = old_price
        elif new_price <= 0:
            self._reject_amend(command, RejectReason.PRICE_FILTER, "Filter failure: PRICE_FILTER.")
            return
        new_quantity = command.new_quantity
        if new_quantity is None:
            new_quantity = order.quantity
        elif new_quantity <= order.filled:
            self._reject_amend(
                command,
                RejectReason.LOT_SIZE,
                "Filter failure: LOT_SIZE (new quantity must exceed the filled quantity).",
            )
            return
        per_lot = market.quote_units_per_tick_lot
        if (
            market.min_notional_units
            and new_price * new_quantity * per_lot < market.min_notional_units
        ):
            self._reject_amend(command, RejectReason.NOTIONAL, "Filter failure: NOTIONAL.")
            return
        is_buy = order.is_buy
        new_remaining = new_quantity - order.filled
        if is_buy:
            new_lock = new_price * new_remaining * per_lot
        else:
            new_lock = new_remaining * market.base_units_per_lot
        extra = new_lock - order.locked
        lock_balance = order.lock_balance
        if extra > lock_balance.free:
            self._reject_amend(
                command,
                RejectReason.INSUFFICIENT_BALANCE,
                "Account has insufficient balance for requested action.",
            )
            return
        if is_buy:
            book = market.bids
            opposite = market.asks.prices
            takes = bool(opposite) and opposite[0] <= new_price
        else:
            book = market.asks
            opposite = market.bids.prices
            takes = bool(opposite) and opposite[-1] >= new_price
        if new_price == old_price:
            takes = False
            if new_quantity <= order.quantity:
                order.quantity = new_quantity
                order.remaining = new_remaining
                order.locked = new_lock
                self._amended(order, True)
                if extra:
                    self._accounts.release(lock_balance, -extra, order.order_id)
                return
        elif not takes and market.reference is not None:
            takes = crosses(market, is_buy, new_price)
        if takes and order.order_type is LIMIT_MAKER:
            self._reject_amend(
                command, WOULD_MATCH_IMMEDIATELY, "Order would immediately match and take."
            )
            return
        order.quantity = new_quantity
        order.locked = new_lock
        priority = order.priority = self._next_priority
        self._next_priority = priority + 1
        if extra:
            asset = lock_balance.asset
            if extra > 0:
                self._accounts.transfer(
                    asset, extra, lock_balance, FREE, lock_balance, LOCKED, LOCK, order.order_id
                )
            else:
                self._accounts.transfer(
                    asset, -extra, lock_balance, LOCKED, lock_balance, FREE, RELEASE, order.order_id
                )
        if not takes:
            book.move(order, new_price, new_remaining)
            if market.reference is not None:
                order.queue_ahead = self._queue_ahead(market, is_buy, new_price)
            self._amended(order, False)
            return
        book.remove(order)
        order.is_resting = False
        order.price = new_price
        order.remaining = new_remaining
        order.queue_ahead = 0
        self._amended(order, False)
        last_price = market.last_price
        self._execute(market, order)
        if market.last_price != last_price:
            self._run_stops(market)

    def _amended(self, order: WorkingOrder, kept_priority: bool) -> None:
        self._events.append(
            OrderAmended(
                timestamp=self._timestamp,
                order_id=order.order_id,
                user_id=order.user_id,
                symbol=order.market.symbol,
                price=order.price,
                quantity=order.quantity,
                filled=order.filled,
                locked=order.locked,
                priority=order.priority,
                queue_ahead=order.queue_ahead,
                kept_priority=kept_priority,
            )
        )

    def _reject_amend(self, command: AmendOrder, reason: RejectReason, message: str) -> None:
        self._events.append(
            AmendRejected(
                timestamp=self._timestamp,
                user_id=command.user_id,
                symbol=command.symbol,
                order_id=command.order_id,
                client_order_id=command.client_order_id,
                reason=reason,
                message=message,
            )
        )

    # ----------------------------------------------------------------- stops

    def _run_stops(self, market: MarketState) -> None:
        """Trigger every stop the last price reaches, again after each triggered order traded."""
        stops = market.stops
        while market.last_price is not None and (stops.rising_prices or stops.falling_prices):
            triggered = stops.pop_triggered(market.last_price)
            if not triggered:
                return
            for order in triggered:
                order.triggered = True
                priority = order.priority = self._next_priority
                self._next_priority = priority + 1
                self._events.append(
                    OrderTriggered(
                        timestamp=self._timestamp,
                        order_id=order.order_id,
                        user_id=order.user_id,
                        symbol=market.symbol,
                        last_price=market.last_price,
                        priority=priority,
                    )
                )
                self._execute(market, order)

    # ----------------------------------------------------------------- funds

    def _deposit(self, command: Deposit) -> None:
        if not self._transfer_allowed(command.user_id, command.asset, command.amount):
            return
        accounts = self._accounts
        accounts.transfer(
            command.asset,
            command.amount,
            None,
            EXTERNAL,
            accounts.get(command.user_id, command.asset),
            FREE,
            LedgerReason.DEPOSIT,
        )

    def _withdraw(self, command: Withdraw) -> None:
        if not self._transfer_allowed(command.user_id, command.asset, command.amount):
            return
        accounts = self._accounts
        balance = accounts.get(command.user_id, command.asset)
        if balance.free < command.amount:
            self._reject_transfer(
                command.user_id,
                command.asset,
                command.amount,
                RejectReason.INSUFFICIENT_BALANCE,
                "Account has insufficient balance for requested action.",
            )
            return
        accounts.transfer(
            command.asset,
            command.amount,
            balance,
            FREE,
            None,
            EXTERNAL,
            LedgerReason.WITHDRAWAL,
        )

    def _reset(self, command: ResetAccount) -> None:
        user_id = command.user_id
        for asset, amount in command.balances:
            if asset not in self._assets or amount < 0:
                self._reject_transfer(
                    user_id,
                    asset,
                    amount,
                    RejectReason.UNKNOWN_ASSET if asset not in self._assets else INVALID,
                    "Unknown asset." if asset not in self._assets else "Amount is negative.",
                )
                return
        self._cancel_all(CancelAllOrders(timestamp=command.timestamp, user_id=user_id))
        accounts = self._accounts
        for (owner, asset), balance in sorted(accounts.balances.items()):
            if owner == user_id and balance.free:
                accounts.transfer(
                    asset, balance.free, balance, FREE, None, EXTERNAL, LedgerReason.WITHDRAWAL
                )
        for asset, amount in command.balances:
            if amount:
                accounts.transfer(
                    asset,
                    amount,
                    None,
                    EXTERNAL,
                    accounts.get(user_id, asset),
                    FREE,
                    LedgerReason.DEPOSIT,
                )

    def _transfer_allowed(self, user_id: int, asset: str, amount: int) -> bool:
        if asset not in self._assets:
            self._reject_transfer(
                user_id, asset, amount, RejectReason.UNKNOWN_ASSET, "Unknown asset."
            )
            return False
        if amount <= 0:
            self._reject_transfer(user_id, asset, amount, INVALID, "Amount must be positive.")
            return False
        return True

    def _reject_transfer(
        self, user_id: int, asset: str, amount: int, reason: RejectReason, message: str
    ) -> None:
        self._events.append(
            TransferRejected(
                timestamp=self._timestamp,
                user_id=user_id,
                asset=asset,
                amount=amount,
                reason=reason,
                message=message,
            )
        )

    # ----------------------------------------------------------------- reference market

    def _update_reference_book(self, command: UpdateReferenceBook) -> None:
        market = self._markets.get(command.symbol)
        if market is None or market.reference is None:
            return
        reference = market.reference
        reference.apply(command.bids, command.asks, is_snapshot=command.is_snapshot)
        if command.is_snapshot:
            shorten_queues(market.bids, reference.bids.quantities, None)
            shorten_queues(market.asks, reference.asks.quantities, None)
        else:
            shorten_queues(market.bids, reference.bids.quantities, command.bids)
            shorten_queues(market.asks, reference.asks.quantities, command.asks)

    def _record_reference_trade(self, command: RecordReferenceTrade) -> None:
        market = self._markets.get(command.symbol)
        if market is None or market.reference is None:
            return
        if command.price <= 0 or command.quantity <= 0:
            return
        last_price = market.last_price
        for book in (market.bids, market.asks):
            for order, quantity in reference_trade_fills(book, command.price, command.quantity):
                self._fill(market, None, order, not order.is_buy, order.price, quantity)
        market.last_price = command.price
        if market.last_price != last_price:
            self._run_stops(market)

    # ----------------------------------------------------------------- restore

    def _load(self, snapshot: EngineSnapshot) -> None:
        accounts = self._accounts
        for record in snapshot.balances:
            if record.asset not in self._assets:
                raise ValueError(f"balance in unknown asset {record.asset}")
            accounts.balances[(record.user_id, record.asset)] = Balance(
                record.user_id, record.asset, record.free, record.locked
            )
        held: dict[tuple[int, str], int] = {}
        for open_order in sorted(snapshot.open_orders, key=_by_priority):
            order = self._load_order(open_order)
            key = (order.user_id, order.lock_balance.asset)
            held[key] = held.get(key, 0) + order.locked
        for key, balance in accounts.balances.items():
            if held.get(key, 0) != balance.locked:
                raise ValueError(
                    f"user {key[0]} {key[1]}: locked {balance.locked} but open orders hold"
                    f" {held.get(key, 0)}"
                )
        for key in held:
            if key not in accounts.balances and held[key]:
                raise ValueError(f"user {key[0]} {key[1]}: open orders hold funds of no balance")
        for symbol, price in snapshot.last_prices:
            self._market_for(symbol).last_price = price
        self._next_order_id = max(
            [snapshot.next_order_id, *(order.order_id + 1 for order in snapshot.open_orders)]
        )
        self._next_priority = max(
            [snapshot.next_priority, *(order.priority + 1 for order in snapshot.open_orders)]
        )
        self._next_trade_id = snapshot.next_trade_id
        accounts.next_entry_id = snapshot.next_entry_id

    def _load_order(self, record: OpenOrder) -> WorkingOrder:
        market = self._market_for(record.symbol)
        if not record.status.is_open or record.filled >= record.quantity:
            raise ValueError(f"order {record.order_id} is not open")
        if record.order_type is MARKET or (
            record.order_type.is_stop and record.triggered and not record.price
        ):
            raise ValueError(f"order {record.order_id}: a market order cannot be open")
        is_buy = record.side is BUY
        base = self._accounts.get(record.user_id, market.base_asset)
        quote = self._accounts.get(record.user_id, market.quote_asset)
        order = WorkingOrder(
            order_id=record.order_id,
            user_id=record.user_id,
            market=market,
            client_order_id=record.client_order_id,
            side=record.side,
            order_type=record.order_type,
            time_in_force=record.time_in_force,
            price=record.price or 0,
            stop_price=record.stop_price,
            quantity=record.quantity,
            quote_amount=record.quote_amount,
            self_trade_prevention=record.self_trade_prevention,
            lock_balance=quote if is_buy else base,
            receive_balance=base if is_buy else quote,
            priority=record.priority,
            created_at=record.created_at,
        )
        order.remaining = record.quantity - record.filled
        order.filled = record.filled
        order.executed_quote = record.executed_quote
        order.locked = record.locked
        order.queue_ahead = record.queue_ahead
        order.triggered = record.triggered
        order.status = record.status
        if record.order_id in self._orders:
            raise ValueError(f"order {record.order_id} appears twice")
        client_orders = self._client_orders.setdefault(record.user_id, {})
        if record.client_order_id in client_orders:
            raise ValueError(f"client order id {record.client_order_id} appears twice")
        self._orders[record.order_id] = order
        client_orders[record.client_order_id] = order
        if record.order_type.is_stop and not record.triggered:
            market.stops.add(order)
        else:
            (market.bids if is_buy else market.asks).add(order)
            order.is_resting = True
        return order

    def _market_for(self, symbol: str) -> MarketState:
        market = self._markets.get(symbol)
        if market is None:
            raise ValueError(f"unknown market {symbol}")
        return market


INVALID = RejectReason.INVALID_PARAMETERS


def _by_order_id(order: WorkingOrder | OpenOrder) -> int:
    return order.order_id


def _by_priority(order: OpenOrder) -> int:
    return order.priority
