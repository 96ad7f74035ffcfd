"""Random command sequences keep the engine's invariants, on an exchange and on a paper market."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import msgspec
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from paperex.domain import (
    MarketMode,
    OpenOrder,
    OrderType,
    PercentPriceBySide,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    Deposit,
    PlaceOrder,
    RecordReferenceTrade,
    ResetAccount,
    UpdateReferenceBook,
    Withdraw,
)
from paperex.domain.events import (
    Event,
    OrderAccepted,
    OrderChange,
    TradeExecuted,
    TransferRejected,
)
from tests.support.engine import SYMBOL, Recorder, make_engine

USERS = st.sampled_from([1, 2, 3])
ASSET = st.sampled_from(["BTC", "USDT"])
SIDE = st.sampled_from([Side.BUY, Side.SELL])
PRICE = st.integers(min_value=97, max_value=103)
QUANTITY = st.integers(min_value=1, max_value=12)
STP = st.sampled_from(list(SelfTradePrevention))
LIMIT_TYPES = st.sampled_from([OrderType.LIMIT, OrderType.LIMIT_MAKER])
STOP_TYPES = st.sampled_from(
    [
        OrderType.STOP_LOSS,
        OrderType.STOP_LOSS_LIMIT,
        OrderType.TAKE_PROFIT,
        OrderType.TAKE_PROFIT_LIMIT,
    ]
)


class EngineMachine(RuleBasedStateMachine):
    """The rules and invariants of every market mode; ``mode`` picks the market's."""

    mode = MarketMode.EXCHANGE
    band: PercentPriceBySide | None = None
    requires_reference = False
    events_carry_queue_ahead = True

    def __init__(self) -> None:
        super().__init__()
        self.folded_orders: dict[int, OpenOrder] = {}
        self.recorder = Recorder(
            make_engine(
                mode=self.mode,
                funded=(),
                maker_fee="0.001",
                taker_fee="0.003",
                band=self.band,
                requires_reference=self.requires_reference,
            )
        )
        self.expected_totals: Counter[str] = Counter()
        self.clock = 0
        for user_id in (1, 2, 3):
            for asset in ("BTC", "USDT"):
                self.deposit(user_id, asset, 20_000)

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        return self.recorder.engine

    def run(self, command: object) -> list[Event]:
        self.clock += 1
        events = self.recorder.process(command)
        for event in events:
            # OpenOrder.apply raises OrderTransitionError when an event breaks ORDER_TRANSITIONS.
            if isinstance(event, OrderAccepted):
                self.folded_orders[event.order_id] = OpenOrder.accepted(event)
            elif isinstance(event, OrderChange):
                self.folded_orders[event.order_id] = self.folded_orders[event.order_id].apply(event)
        for trade in events:
            if isinstance(trade, TradeExecuted) and trade.is_reference:
                # The reference market is the only counterparty from outside: what it pays
                # or receives enters or leaves the users' totals (one lot = one BTC unit).
                user_buys = (trade.taker_side is Side.BUY) == (trade.maker_order_id is None)
                sign = 1 if user_buys else -1
                self.expected_totals["BTC"] += sign * trade.quantity
                self.expected_totals["USDT"] -= sign * trade.quote_quantity
        return events

    def pick_open_order(self, index: int):  # type: ignore[no-untyped-def]
        orders = self.engine.open_orders()
        return orders[index % len(orders)] if orders else None

    @rule(user_id=USERS, asset=ASSET, amount=st.integers(min_value=1, max_value=5_000))
    def deposit(self, user_id: int, asset: str, amount: int) -> None:
        self.run(Deposit(timestamp=self.clock, user_id=user_id, asset=asset, amount=amount))
        self.expected_totals[asset] += amount

    @rule(user_id=USERS, asset=ASSET, amount=st.integers(min_value=1, max_value=3_000))
    def withdraw(self, user_id: int, asset: str, amount: int) -> None:
        events = self.run(
            Withdraw(timestamp=self.clock, user_id=user_id, asset=asset, amount=amount)
        )
        if not any(isinstance(event, TransferRejected) for event in events):
            self.expected_totals[asset] -= amount

    @rule(user_id=USERS, usdt=st.integers(min_value=0, max_value=3_000))
    def reset(self, user_id: int, usdt: int) -> None:
        for asset in ("BTC", "USDT"):
            balance = self.engine.balance(user_id, asset)
            self.expected_totals[asset] -= balance.free + balance.locked
        self.expected_totals["USDT"] += usdt
        self.run(ResetAccount(timestamp=self.clock, user_id=user_id, balances=(("USDT", usdt),)))

    @rule(
        user_id=USERS,
        side=SIDE,
        order_type=LIMIT_TYPES,
        time_in_force=st.sampled_from(list(TimeInForce)),
        price=PRICE,
        quantity=QUANTITY,
        stp=STP,
    )
    def place_limit(
        self,
        user_id: int,
        side: Side,
        order_type: OrderType,
        time_in_force: TimeInForce,
        price: int,
        quantity: int,
        stp: SelfTradePrevention,
    ) -> None:
        self.run(
            PlaceOrder(
                timestamp=self.clock,
                user_id=user_id,
                symbol=SYMBOL,
                side=side,
                order_type=order_type,
                time_in_force=time_in_force,
                price=price,
                quantity=quantity,
                self_trade_prevention=stp,
            )
        )

    @rule(user_id=USERS, side=SIDE, price=PRICE, quantity=QUANTITY, stp=STP)
    def place_good_till_canceled(
        self, user_id: int, side: Side, price: int, quantity: int, stp: SelfTradePrevention
    ) -> None:
        # The most common order, as its own rule so the book fills up and orders trade.
        self.place_limit(user_id, side, OrderType.LIMIT, TimeInForce.GTC, price, quantity, stp)

    @rule(
        user_id=USERS,
        side=SIDE,
        quantity=QUANTITY,
        quote_amount=st.integers(min_value=1, max_value=2_000),
        by_quote=st.booleans(),
        stp=STP,
    )
    def place_market(
        self,
        user_id: int,
        side: Side,
        quantity: int,
        quote_amount: int,
        by_quote: bool,
        stp: SelfTradePrevention,
    ) -> None:
        self.run(
            PlaceOrder(
                timestamp=self.clock,
                user_id=user_id,
                symbol=SYMBOL,
                side=side,
                order_type=OrderType.MARKET,
                quantity=None if by_quote else quantity,
                quote_amount=quote_amount if by_quote else None,
                self_trade_prevention=stp,
            )
        )

    @rule(
        user_id=USERS, side=SIDE, order_type=STOP_TYPES, stop=PRICE, price=PRICE, quantity=QUANTITY
    )
    def place_stop(
        self, user_id: int, side: Side, order_type: OrderType, stop: int, price: int, quantity: int
    ) -> None:
        self.run(
            PlaceOrder(
                timestamp=self.clock,
                user_id=user_id,
                symbol=SYMBOL,
                side=side,
                order_type=order_type,
                stop_price=stop,
                price=price if order_type.has_limit_price else None,
                quantity=quantity,
            )
        )

    @rule(index=st.integers(min_value=0, max_value=100))
    def cancel(self, index: int) -> None:
        order = self.pick_open_order(index)
        if order is not None:
            self.run(
                CancelOrder(
                    timestamp=self.clock,
                    user_id=order.user_id,
                    symbol=SYMBOL,
                    order_id=order.order_id,
                )
            )

    @rule(user_id=USERS)
    def cancel_all(self, user_id: int) -> None:
        self.run(CancelAllOrders(timestamp=self.clock, user_id=user_id))

    @rule(
        index=st.integers(min_value=0, max_value=100),
        price=st.none() | PRICE,
        quantity=st.none() | QUANTITY,
    )
    def amend(self, index: int, price: int | None, quantity: int | None) -> None:
        order = self.pick_open_order(index)
        if order is not None:
            self.run(
                AmendOrder(
                    timestamp=self.clock,
                    user_id=order.user_id,
                    symbol=SYMBOL,
                    order_id=order.order_id,
                    new_price=price,
                    new_quantity=quantity,
                )
            )

    @invariant()
    def internal_structures_agree(self) -> None:
        self.engine.validate_internal_state()

    @invariant()
    def each_orders_events_fold_into_its_live_record(self) -> None:
        live = {order.order_id: order for order in self.engine.open_orders()}
        assert live.keys() == {
            order_id for order_id, order in self.folded_orders.items() if order.status.is_open
        }
        for order_id, order in live.items():
            folded = self.folded_orders[order_id]
            if not self.events_carry_queue_ahead:
                folded = msgspec.structs.replace(folded, queue_ahead=order.queue_ahead)
            assert folded == order

    @invariant()
    def no_waiting_stop_is_already_reached(self) -> None:
        last_price = self.engine.last_price(SYMBOL)
        if last_price is None:
            return
        for order in self.engine.open_orders():
            if order.order_type.is_stop and not order.triggered:
                assert order.stop_price is not None
                stop_loss = order.order_type in (OrderType.STOP_LOSS, OrderType.STOP_LOSS_LIMIT)
                if (order.side is Side.BUY) == stop_loss:  # triggers as the price rises
                    assert order.stop_price > last_price
                else:
                    assert order.stop_price < last_price

    @invariant()
    def book_is_never_crossed_and_levels_add_up(self) -> None:
        bids, asks = self.engine.depth(SYMBOL, limit=1_000)
        if bids and asks:
            assert bids[0][0] < asks[0][0]
        resting: Counter[tuple[Side, int]] = Counter()
        for order in self.engine.open_orders():
            assert 0 <= order.filled < order.quantity
            if order.is_resting:
                assert order.price is not None
                resting[(order.side, order.price)] += order.quantity - order.filled
        levels = {(Side.BUY, price): quantity for price, quantity in bids}
        levels |= {(Side.SELL, price): quantity for price, quantity in asks}
        assert levels == dict(resting)

    @invariant()
    def balances_are_never_negative_and_locks_match_orders(self) -> None:
        held: Counter[tuple[int, str]] = Counter()
        for order in self.engine.open_orders():
            asset = "USDT" if order.side is Side.BUY else "BTC"
            held[(order.user_id, asset)] += order.locked
        for balance in self.engine.balances():
            assert balance.free >= 0
            assert balance.locked >= 0
            assert balance.locked == held[(balance.user_id, balance.asset)]

    @invariant()
    def each_asset_is_conserved_across_users_and_the_fee_account(self) -> None:
        totals: Counter[str] = Counter()
        for balance in self.engine.balances():
            totals[balance.asset] += balance.free + balance.locked
        for asset in ("BTC", "USDT"):
            assert totals[asset] == self.expected_totals[asset]

    @invariant()
    def the_ledger_rebuilds_the_balances(self) -> None:
        actual = {
            (b.user_id, b.asset): (b.free, b.locked)
            for b in self.engine.balances()
            if b.free or b.locked
        }
        rebuilt = {key: pair for key, pair in self.recorder.ledger_balances().items() if any(pair)}
        assert rebuilt == actual
        reported = self.recorder.last_reported_balances()
        assert {key: pair for key, pair in reported.items() if any(pair)} == actual


def book_after(
    book: dict[Side, dict[int, int]], update: UpdateReferenceBook
) -> dict[Side, dict[int, int]]:
    """The reference book (bids under BUY, asks under SELL) as ``update`` leaves it."""
    after = {side: {} if update.is_snapshot else dict(levels) for side, levels in book.items()}
    for side, levels in ((Side.BUY, update.bids), (Side.SELL, update.asks)):
        for price, quantity in levels:
            if quantity:
                after[side][price] = quantity
            else:
                after[side].pop(price, None)
    return after


class PaperEngineMachine(EngineMachine):
    """A PAPER market: user orders meet the reference (venue) book and the venue's trades.

    Two more invariants, checked on the last command's events against the state just before it:

    * Paper fills never beat the venue. A user order that takes reference liquidity (a
      reference trade whose maker is None) trades at a price level the reference book showed
      on the opposite side before the command (for an UpdateReferenceBook, which only lets
      waiting stops take, as the update left it), so a buy never fills below the best ask, a
      sell never above the best bid, never more at that level than it showed, and what it took
      is gone from the book afterwards. A resting order that a reference trade fills (taker None)
      trades at its own price, which is at or through the venue's trade price (a bid at or
      above it, an ask at or below it), and the orders of one side never share more than the
      venue trade's quantity.
    * An UpdateReferenceBook or RecordReferenceTrade never lengthens the ``queue_ahead`` of an
      order that was resting before it and still is.
    """

    mode = MarketMode.PAPER
    # The reference book shortens queues, and a triggered stop-limit queues, without an event:
    # folded events know only the queue_ahead of the last OrderAccepted or OrderAmended.
    events_carry_queue_ahead = False

    def __init__(self) -> None:
        self.last_command: object = None
        self.last_events: list[Event] = []
        self.reference_before: dict[Side, dict[int, int]] = {Side.BUY: {}, Side.SELL: {}}
        self.queues_before: dict[int, int] = {}
        super().__init__()

    def reference_book(self) -> dict[Side, dict[int, int]]:
        """Reference quantity by price: bids under BUY, asks under SELL."""
        bids, asks = self.engine.reference_depth(SYMBOL, limit=1_000)
        return {Side.BUY: dict(bids), Side.SELL: dict(asks)}

    def run(self, command: object) -> list[Event]:
        self.reference_before = self.reference_book()
        if isinstance(command, UpdateReferenceBook):
            self.reference_before = book_after(self.reference_before, command)
        self.queues_before = {
            order.order_id: order.queue_ahead
            for order in self.engine.open_orders()
            if order.is_resting
        }
        self.last_command = command
        self.last_events = super().run(command)
        return self.last_events

    @rule(
        bids=st.lists(st.tuples(PRICE, st.integers(min_value=0, max_value=8)), max_size=4),
        asks=st.lists(st.tuples(PRICE, st.integers(min_value=0, max_value=8)), max_size=4),
        is_snapshot=st.booleans(),
    )
    def update_reference_book(
        self, bids: list[tuple[int, int]], asks: list[tuple[int, int]], is_snapshot: bool
    ) -> None:
        self.run(
            UpdateReferenceBook(
                timestamp=self.clock,
                symbol=SYMBOL,
                bids=tuple(bids),
                asks=tuple(asks),
                is_snapshot=is_snapshot,
            )
        )

    @rule(
        price=st.integers(min_value=95, max_value=105),
        quantity=st.integers(min_value=1, max_value=10),
        aggressor=SIDE,
    )
    def record_reference_trade(self, price: int, quantity: int, aggressor: Side) -> None:
        self.run(
            RecordReferenceTrade(
                timestamp=self.clock,
                symbol=SYMBOL,
                price=price,
                quantity=quantity,
                aggressor=aggressor,
            )
        )

    @invariant()
    def paper_fills_never_beat_the_reference_book(self) -> None:
        taken: Counter[tuple[Side, int]] = Counter()  # (reference side, price) -> lots
        filled_by_venue_trade: Counter[Side] = Counter()  # side of the resting orders -> lots
        for trade in self.last_events:
            if not isinstance(trade, TradeExecuted) or not trade.is_reference:
                continue
            if trade.maker_order_id is None:
                reference_side = Side.SELL if trade.taker_side is Side.BUY else Side.BUY
                taken[(reference_side, trade.price)] += trade.quantity
                continue
            command = self.last_command
            assert isinstance(command, RecordReferenceTrade)
            if trade.taker_side is Side.SELL:  # the venue sold into a resting bid
                assert trade.price >= command.price
                filled_by_venue_trade[Side.BUY] += trade.quantity
            else:
                assert trade.price <= command.price
                filled_by_venue_trade[Side.SELL] += trade.quantity
        if isinstance(self.last_command, RecordReferenceTrade):
            assert all(q <= self.last_command.quantity for q in filled_by_venue_trade.values())
        if isinstance(self.last_command, UpdateReferenceBook):
            assert not filled_by_venue_trade
        expected = {side: dict(levels) for side, levels in self.reference_before.items()}
        for (side, price), quantity in taken.items():
            assert quantity <= expected[side].get(price, 0)
            expected[side][price] -= quantity
            if not expected[side][price]:
                del expected[side][price]
        assert self.reference_book() == expected

    @invariant()
    def reference_news_never_lengthens_a_queue(self) -> None:
        if not isinstance(self.last_command, UpdateReferenceBook | RecordReferenceTrade):
            return
        for order in self.engine.open_orders():
            before = self.queues_before.get(order.order_id)
            if before is not None and order.is_resting:
                assert order.queue_ahead <= before


class BandedPaperEngineMachine(PaperEngineMachine):
    """A PAPER market fed by a reference feed, with a price band as narrow as the prices the
    rules use, so that takers often reach its edge. Two more invariants: no user order takes
    liquidity before the feed's first book snapshot and trade (stops wait until then), and none
    trades beyond its side's band edge around the last reference trade price."""

    band = PercentPriceBySide(Decimal("1.01"), Decimal("0.99"), Decimal("1.01"), Decimal("0.99"))
    requires_reference = True

    def __init__(self) -> None:
        self.reference_price: int | None = None
        self.had_snapshot = False
        super().__init__()

    @property
    def ready(self) -> bool:
        return self.had_snapshot and self.reference_price is not None

    def run(self, command: object) -> list[Event]:
        if isinstance(command, RecordReferenceTrade):
            self.reference_price = command.price
        if isinstance(command, UpdateReferenceBook) and command.is_snapshot:
            self.had_snapshot = True
        return super().run(command)

    @invariant()
    def no_waiting_stop_is_already_reached(self) -> None:
        if self.ready:
            super().no_waiting_stop_is_already_reached()

    @invariant()
    def nothing_takes_liquidity_before_the_market_is_ready(self) -> None:
        if not self.ready:
            assert not any(
                isinstance(event, TradeExecuted) and event.taker_order_id is not None
                for event in self.last_events
            )

    @invariant()
    def takers_never_trade_beyond_the_band_edge(self) -> None:
        reference = self.reference_price
        if reference is None:
            return
        assert self.band is not None
        highest_buy = int(reference * self.band.bid_multiplier_up)
        lowest_sell = -int(-reference * self.band.ask_multiplier_down)
        for trade in self.last_events:
            if isinstance(trade, TradeExecuted) and trade.taker_order_id is not None:
                if trade.taker_side is Side.BUY:
                    assert trade.price <= highest_buy
                else:
                    assert trade.price >= lowest_sell


EngineMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_engine_state_machine = EngineMachine.TestCase
PaperEngineMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
test_paper_engine_state_machine = PaperEngineMachine.TestCase
BandedPaperEngineMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
test_banded_paper_engine_state_machine = BandedPaperEngineMachine.TestCase
