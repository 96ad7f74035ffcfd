"""One trade and its money: the public trade, both legs, fees, price improvement, fill reports.

``None`` in place of an order stands for the reference market of a paper market: it has no
balance, so its side of each leg is the REFERENCE ledger bucket.
"""

from __future__ import annotations

from paperex.domain.orders import Liquidity
from paperex.engine.accounts import Accounts
from paperex.engine.constants import (
    BUY,
    FEE,
    FILLED,
    FREE,
    LOCKED,
    MAKER,
    PARTIALLY_FILLED,
    REFERENCE,
    SELL,
    TAKER,
    TRADE,
)
from paperex.engine.event_types import ORDER_FILLED, TRADE_EXECUTED
from paperex.engine.lifecycle import close
from paperex.engine.market import EngineMarket, fee_for
from paperex.engine.order import WorkingOrder
from paperex.engine.state import EngineState


def fill(
    state: EngineState,
    market: EngineMarket,
    taker: WorkingOrder | None,
    maker: WorkingOrder | None,
    taker_is_buy: bool,
    price: int,
    quantity: int,
) -> None:
    """Trade ``quantity`` lots at ``price`` between ``taker`` and ``maker``.

    Emits TradeExecuted, the two ledger legs, then per user order its fee, price improvement
    release and OrderFilled; a maker that is used up leaves the book, a filled order closes.
    """
    trade_id = state.next_trade_id
    state.next_trade_id = trade_id + 1
    quote = price * quantity * market.quote_units_per_tick_lot
    base = quantity * market.base_units_per_lot
    market.last_price = price
    is_reference = taker is None or maker is None
    state.events.append(
        TRADE_EXECUTED(
            timestamp=state.timestamp,
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
            is_reference=is_reference,
        )
    )
    if maker is not None:
        maker.remaining -= quantity
        if not maker.remaining:
            (market.bids if maker.is_buy else market.asks).remove(maker)
            maker.is_resting = False
    if taker is not None:
        taker.remaining -= quantity
    buyer, seller = (taker, maker) if taker_is_buy else (maker, taker)
    accounts = state.accounts
    _pay(accounts, market.quote_asset, quote, buyer, seller, trade_id)
    _pay(accounts, market.base_asset, base, seller, buyer, trade_id)
    if taker is not None:
        _report_fill(
            state, market, taker, TAKER, trade_id, price, quantity, quote, base, is_reference
        )
    if maker is not None:
        _report_fill(
            state, market, maker, MAKER, trade_id, price, quantity, quote, base, is_reference
        )


def _pay(
    accounts: Accounts,
    asset: str,
    amount: int,
    payer: WorkingOrder | None,
    payee: WorkingOrder | None,
    trade_id: int,
) -> None:
    """One leg of a trade: ``payer``'s lock to ``payee``'s free balance (None: the reference).

    The entry carries the paying order's id, or the receiving order's when the reference pays.
    """
    if payer is None:
        assert payee is not None
        accounts.transfer(
            asset,
            amount,
            None,
            REFERENCE,
            payee.receive_balance,
            FREE,
            TRADE,
            payee.order_id,
            trade_id,
        )
        return
    payer.locked -= amount
    accounts.transfer(
        asset,
        amount,
        payer.lock_balance,
        LOCKED,
        None if payee is None else payee.receive_balance,
        REFERENCE if payee is None else FREE,
        TRADE,
        payer.order_id,
        trade_id,
    )


def _report_fill(
    state: EngineState,
    market: EngineMarket,
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
    accounts = state.accounts
    is_buy = order.is_buy
    receive_balance = order.receive_balance
    fee = fee_for(
        base if is_buy else quote, market.taker_fee if liquidity is TAKER else market.maker_fee
    )
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
    if is_buy and order.price > price:
        improvement = (order.price - price) * quantity * market.quote_units_per_tick_lot
        order.locked -= improvement
        accounts.release(order.lock_balance, improvement, order.order_id)
    filled = order.filled = order.filled + quantity
    executed_quote = order.executed_quote = order.executed_quote + quote
    status = order.status = PARTIALLY_FILLED if order.remaining else FILLED
    state.events.append(
        ORDER_FILLED(
            timestamp=state.timestamp,
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
            filled=filled,
            executed_quote=executed_quote,
            locked=order.locked,
            status=status,
            is_reference=is_reference,
        )
    )
    if status is FILLED:
        close(state, order)
