"""The enum members the engine's hot paths compare against, as module constants.

``status is FILLED`` reads like ``status is OrderStatus.FILLED`` and costs one global lookup
instead of an attribute lookup on the enum class (under mypyc, ``Final`` names are C statics).
"""

from __future__ import annotations

from typing import Final

from paperex.domain.ledger import LedgerBucket, LedgerReason
from paperex.domain.orders import (
    ExpiryReason,
    Liquidity,
    OrderStatus,
    OrderType,
    RejectReason,
    SelfTradePrevention,
    TimeInForce,
)
from paperex.domain.side import Side

BUY: Final = Side.BUY
SELL: Final = Side.SELL

LIMIT: Final = OrderType.LIMIT
LIMIT_MAKER: Final = OrderType.LIMIT_MAKER
MARKET: Final = OrderType.MARKET
STOP_LOSS: Final = OrderType.STOP_LOSS
STOP_LOSS_LIMIT: Final = OrderType.STOP_LOSS_LIMIT
TAKE_PROFIT: Final = OrderType.TAKE_PROFIT
TAKE_PROFIT_LIMIT: Final = OrderType.TAKE_PROFIT_LIMIT
STOP_TYPES: Final = frozenset({STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT})
"""``OrderType.is_stop`` as a set: the property would run interpreted code on every order."""
LIMIT_PRICED_TYPES: Final = frozenset({LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT, TAKE_PROFIT_LIMIT})
"""``OrderType.has_limit_price`` as a set."""
STOP_LOSS_TYPES: Final = frozenset({STOP_LOSS, STOP_LOSS_LIMIT})
"""``OrderType.is_stop_loss`` as a set."""

GTC: Final = TimeInForce.GTC
IOC: Final = TimeInForce.IOC
FOK: Final = TimeInForce.FOK

NEW: Final = OrderStatus.NEW
PARTIALLY_FILLED: Final = OrderStatus.PARTIALLY_FILLED
FILLED: Final = OrderStatus.FILLED
CANCELED: Final = OrderStatus.CANCELED
EXPIRED: Final = OrderStatus.EXPIRED

STP_NONE: Final = SelfTradePrevention.NONE
EXPIRE_TAKER: Final = SelfTradePrevention.EXPIRE_TAKER
EXPIRE_MAKER: Final = SelfTradePrevention.EXPIRE_MAKER

TAKER: Final = Liquidity.TAKER
MAKER: Final = Liquidity.MAKER

TIME_IN_FORCE: Final = ExpiryReason.TIME_IN_FORCE
SELF_TRADE_PREVENTION: Final = ExpiryReason.SELF_TRADE_PREVENTION
INSUFFICIENT_LOCK: Final = ExpiryReason.INSUFFICIENT_LOCK
PRICE_BAND: Final = ExpiryReason.PRICE_BAND

FREE: Final = LedgerBucket.FREE
LOCKED: Final = LedgerBucket.LOCKED
EXTERNAL: Final = LedgerBucket.EXTERNAL
REFERENCE: Final = LedgerBucket.REFERENCE

DEPOSIT: Final = LedgerReason.DEPOSIT
WITHDRAWAL: Final = LedgerReason.WITHDRAWAL
LOCK: Final = LedgerReason.LOCK
RELEASE: Final = LedgerReason.RELEASE
TRADE: Final = LedgerReason.TRADE
FEE: Final = LedgerReason.FEE

UNKNOWN_SYMBOL: Final = RejectReason.UNKNOWN_SYMBOL
UNKNOWN_ASSET: Final = RejectReason.UNKNOWN_ASSET
UNKNOWN_ORDER: Final = RejectReason.UNKNOWN_ORDER
INVALID_PARAMETERS: Final = RejectReason.INVALID_PARAMETERS
PRICE_FILTER: Final = RejectReason.PRICE_FILTER
PERCENT_PRICE_BY_SIDE: Final = RejectReason.PERCENT_PRICE_BY_SIDE
LOT_SIZE: Final = RejectReason.LOT_SIZE
NOTIONAL: Final = RejectReason.NOTIONAL
INSUFFICIENT_BALANCE: Final = RejectReason.INSUFFICIENT_BALANCE
DUPLICATE_CLIENT_ORDER_ID: Final = RejectReason.DUPLICATE_CLIENT_ORDER_ID
WOULD_MATCH_IMMEDIATELY: Final = RejectReason.WOULD_MATCH_IMMEDIATELY
WOULD_TRIGGER_IMMEDIATELY: Final = RejectReason.WOULD_TRIGGER_IMMEDIATELY
ORDER_NOT_AMENDABLE: Final = RejectReason.ORDER_NOT_AMENDABLE
MARKET_NOT_READY: Final = RejectReason.MARKET_NOT_READY

INSUFFICIENT_BALANCE_MESSAGE: Final = "Account has insufficient balance for requested action."
WOULD_MATCH_MESSAGE: Final = "Order would immediately match and take."
UNKNOWN_ORDER_MESSAGE: Final = "Unknown order sent."
MARKET_NOT_READY_MESSAGE: Final = (
    "The market is waiting for its reference market's book and last trade; try again shortly."
)
PERCENT_PRICE_MESSAGE: Final = (
    "Filter failure: PERCENT_PRICE_BY_SIDE (the price is too far from the reference price)."
)
