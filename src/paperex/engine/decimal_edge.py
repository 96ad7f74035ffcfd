"""The edge where decimal prices and quantities become a PlaceOrder in ticks, lots and units."""

from __future__ import annotations

from decimal import Decimal

from paperex.domain.asset import Asset
from paperex.domain.commands import PlaceOrder
from paperex.domain.events import OrderRejected
from paperex.domain.instrument import Instrument, OffGridError
from paperex.domain.orders import OrderType, RejectReason, SelfTradePrevention, TimeInForce
from paperex.domain.side import Side


def place_order_from_decimals(
    instrument: Instrument,
    quote_asset: Asset,
    *,
    timestamp: int,
    user_id: int,
    side: Side,
    order_type: OrderType = OrderType.LIMIT,
    time_in_force: TimeInForce = TimeInForce.GTC,
    quantity: Decimal | None = None,
    price: Decimal | None = None,
    stop_price: Decimal | None = None,
    quote_amount: Decimal | None = None,
    client_order_id: str | None = None,
    self_trade_prevention: SelfTradePrevention | None = None,
) -> PlaceOrder | OrderRejected:
    """The PlaceOrder for these decimals, or the OrderRejected the engine would have emitted.

    A price or stop price off the tick grid is PRICE_FILTER, a quantity off the step grid
    LOT_SIZE, a quote amount finer than the quote asset's unit INVALID_PARAMETERS (Binance
    semantics: nothing is rounded silently). Never raises for bad numbers.
    """

    def rejected(reason: RejectReason, message: str) -> OrderRejected:
        return OrderRejected(
            timestamp=timestamp,
            user_id=user_id,
            symbol=instrument.symbol,
            client_order_id=client_order_id,
            reason=reason,
            message=message,
        )

    try:
        price_ticks = None if price is None else instrument.price_to_ticks(price)
        stop_ticks = None if stop_price is None else instrument.price_to_ticks(stop_price)
    except OffGridError as error:
        return rejected(RejectReason.PRICE_FILTER, f"Filter failure: PRICE_FILTER ({error}).")
    try:
        lots = None if quantity is None else instrument.quantity_to_lots(quantity)
    except OffGridError as error:
        return rejected(RejectReason.LOT_SIZE, f"Filter failure: LOT_SIZE ({error}).")
    try:
        quote_units = None if quote_amount is None else quote_asset.to_units(quote_amount)
    except OffGridError as error:
        return rejected(RejectReason.INVALID_PARAMETERS, f"Illegal quote amount ({error}).")
    return PlaceOrder(
        timestamp=timestamp,
        user_id=user_id,
        symbol=instrument.symbol,
        side=side,
        order_type=order_type,
        time_in_force=time_in_force,
        quantity=lots,
        price=price_ticks,
        stop_price=stop_ticks,
        quote_amount=quote_units,
        client_order_id=client_order_id,
        self_trade_prevention=self_trade_prevention,
    )
