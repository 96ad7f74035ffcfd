"""``order/cancelReplace``: cancel an order, then place a new one, through the facade's two
actions; each part's outcome in Binance's words (reference: -2021 partially failed, HTTP 409;
-2022 failed)."""

from __future__ import annotations

from dataclasses import dataclass

from paperex.apps.binance import trading_wire
from paperex.apps.binance.errors import (
    BinanceError,
    cancel_replace_failed,
    cancel_replace_partially_failed,
)
from paperex.apps.binance.order_actions import order_cancel_referenced, order_new_place
from paperex.apps.binance.order_errors import binance_error_of
from paperex.apps.binance.order_parameters import NewOrder, OrderReference
from paperex.apps.binance.trading_reads import order_fills
from paperex.apps.binance.trading_wire import ResponseType
from paperex.apps.binance.wire import Row
from paperex.apps.core.errors import PaperexError
from paperex.apps.markets.models import Market
from paperex.apps.trading.models import Order
from paperex.support.clock import wall_clock_ms


@dataclass(frozen=True)
class CancelReplaceOutcome:
    """What became of each part of a cancel-replace: the canceled order or the cancel's error;
    the new order, its error, or None when it was not attempted."""

    canceled: Order | BinanceError
    placed: Order | BinanceError | None


def _part_refusal(error: BinanceError | PaperexError, *, after_a_change: bool) -> BinanceError:
    """A part's refusal in Binance's words. Before anything changed, a refusal that is not the
    part's own (a service away, a limit) is raised again: the whole request is answered with
    it. After the cancel went through, every refusal of the new order is told as that part's,
    so that the answer says the order was canceled."""
    refusal = error if isinstance(error, BinanceError) else binance_error_of(error)
    if refusal.status != 400 and not after_a_change:
        raise refusal from error
    return refusal


def order_cancel_replace(
    *,
    user_id: int,
    market: Market,
    reference: OrderReference,
    new_order: NewOrder,
    allow_failure: bool,
) -> CancelReplaceOutcome:
    """Cancel the order ``reference`` names, then place ``new_order``: unless the cancel failed
    and ``allow_failure`` is False. Two commands to the engine one after the other (Binance does
    both in one step of its matching engine): between them the market may move."""
    canceled: Order | BinanceError
    try:
        canceled = order_cancel_referenced(user_id=user_id, market=market, reference=reference)
    except (BinanceError, PaperexError) as error:
        canceled = _part_refusal(error, after_a_change=False)
    if isinstance(canceled, BinanceError) and not allow_failure:
        return CancelReplaceOutcome(canceled, None)
    placed: Order | BinanceError
    try:
        placed = order_new_place(user_id=user_id, new_order=new_order)
    except (BinanceError, PaperexError) as error:
        placed = _part_refusal(error, after_a_change=not isinstance(canceled, BinanceError))
    return CancelReplaceOutcome(canceled, placed)


def cancel_replace_answer(
    outcome: CancelReplaceOutcome, *, cancel_client_order_id: str, response_type: ResponseType
) -> Row:
    """The answer of a cancel-replace whose parts both went through; raises -2021 (409) when
    one failed, -2022 when nothing went through."""
    if isinstance(outcome.canceled, BinanceError):
        canceled: Row = outcome.canceled.body()
    else:
        canceled = trading_wire.order_canceled(
            outcome.canceled,
            cancel_client_order_id=cancel_client_order_id,
            transact_ms=wall_clock_ms(),
        )
    placed: Row | None
    if outcome.placed is None or isinstance(outcome.placed, BinanceError):
        placed = None if outcome.placed is None else outcome.placed.body()
    else:
        placed = trading_wire.order_placed(
            outcome.placed, order_fills(outcome.placed), response_type
        )
    data = trading_wire.cancel_replace_data(canceled, placed)
    successes = [data["cancelResult"], data["newOrderResult"]].count("SUCCESS")
    if successes == 0:
        raise cancel_replace_failed(data)
    if successes == 1:
        raise cancel_replace_partially_failed(data)
    return data
