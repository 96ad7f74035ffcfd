"""What the engine host persists: orders, public trades, fills, the ledger and balances.

Only the engine host writes these tables (see ``paperex.apps.trading.host``), in one transaction
per batch of commands, from the events the engine emitted. Ids of orders, trades and ledger
entries are the engine's own, so a restarted engine continues the same sequences.

The fee account is a dedicated system user (``paperex-fees``, inactive, no password); its id is
passed to the engine as ``fee_account_id``, so fees are ordinary balances and ledger entries.
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models

from paperex.apps.core.amounts import amount_field
from paperex.apps.markets.models import Asset, Market
from paperex.domain import (
    LedgerBucket,
    LedgerReason,
    Liquidity,
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)

OPEN_STATUSES = (OrderStatus.NEW.value, OrderStatus.PARTIALLY_FILLED.value)


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(member.value, member.value) for member in enum]


class Balance(models.Model):
    """What a user holds of one asset: free to use, and locked by open orders.

    A materialized view of the ledger that the engine host keeps current.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="balances"
    )
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="balances")
    free = amount_field(default=0)
    locked = amount_field(default=0)

    class Meta:
        ordering = ["user", "asset"]
        constraints = [
            models.UniqueConstraint(fields=["user", "asset"], name="balance_one_per_user_asset"),
            models.CheckConstraint(
                condition=models.Q(free__gte=0), name="balance_free_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(locked__gte=0), name="balance_locked_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.asset}: {self.free} free, {self.locked} locked"


class Order(models.Model):
    """An order the engine accepted (rejected orders are answered with a 400, not stored).

    ``id`` is the engine's order id. ``locked``, ``priority``, ``queue_ahead`` and
    ``triggered`` are the engine's working state, kept so the engine can be rebuilt.
    """

    id = models.BigIntegerField(primary_key=True, help_text="The engine's order id.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders"
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="orders")
    client_order_id = models.CharField(max_length=64)
    side = models.CharField(max_length=4, choices=_choices(Side))
    type = models.CharField(max_length=20, choices=_choices(OrderType))
    time_in_force = models.CharField(max_length=3, choices=_choices(TimeInForce))
    price = amount_field(null=True, blank=True)
    stop_price = amount_field(null=True, blank=True)
    quantity = amount_field(help_text="Base quantity (for a MARKET by quote: what could fill).")
    quote_amount = amount_field(null=True, blank=True, help_text="MARKET quoteOrderQty.")
    executed_quantity = amount_field(default=0)
    cumulative_quote = amount_field(default=0)
    status = models.CharField(max_length=16, choices=_choices(OrderStatus))
    status_reason = models.CharField(
        max_length=32, blank=True, help_text="Why the engine expired the order."
    )
    self_trade_prevention = models.CharField(max_length=16, choices=_choices(SelfTradePrevention))
    locked = amount_field(default=0, help_text="What the order still holds of its lock asset.")
    priority = models.BigIntegerField(help_text="Time priority within a price level.")
    queue_ahead = models.BigIntegerField(default=0, help_text="Reference lots ahead (paper).")
    triggered = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            # Stricter than Binance (unique among open orders): unique for good, which makes
            # placing idempotent by client order id.
            models.UniqueConstraint(
                fields=["user", "client_order_id"], name="order_client_id_unique_per_user"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "market", "status"], name="order_user_market_status"),
            models.Index(fields=["status"], name="order_status"),
        ]

    def __str__(self) -> str:
        return f"order {self.id} {self.side} {self.quantity} {self.market_id} {self.status}"


class Trade(models.Model):
    """A public trade; a None order on one side means the reference market was that side."""

    id = models.BigIntegerField(primary_key=True, help_text="The engine's trade id.")
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="trades")
    sequence = models.BigIntegerField(help_text="Per-market sequence of public trades.")
    price = amount_field()
    quantity = amount_field()
    quote_quantity = amount_field()
    taker_side = models.CharField(max_length=4, choices=_choices(Side))
    taker_order = models.ForeignKey(
        Order, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    maker_order = models.ForeignKey(
        Order, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    is_reference = models.BooleanField()
    executed_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "sequence"], name="trade_sequence_unique_per_market"
            )
        ]

    def __str__(self) -> str:
        return f"trade {self.id} {self.quantity} @ {self.price}"


class Fill(models.Model):
    """One order's side of a trade, with the fee it paid."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fills")
    trade = models.ForeignKey(Trade, on_delete=models.CASCADE, related_name="fills")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fills"
    )
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="fills")
    side = models.CharField(max_length=4, choices=_choices(Side))
    price = amount_field()
    quantity = amount_field()
    quote_quantity = amount_field()
    fee = amount_field()
    fee_asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="+")
    liquidity = models.CharField(max_length=5, choices=_choices(Liquidity))
    is_reference = models.BooleanField(help_text="The other side was the reference market.")
    executed_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "trade"], name="fill_once_per_order_trade")
        ]
        indexes = [models.Index(fields=["user", "executed_at"], name="fill_user_time")]

    def __str__(self) -> str:
        return f"fill of order {self.order_id} in trade {self.trade_id}"


class LedgerEntry(models.Model):
    """A double-entry movement of an asset between two accounts, as the engine recorded it.

    An account is (user, bucket); the user is empty for EXTERNAL (deposits, withdrawals) and
    REFERENCE (the reference market of paper fills).
    """

    id = models.BigIntegerField(primary_key=True, help_text="The engine's entry id.")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="+")
    amount = amount_field()
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    from_bucket = models.CharField(max_length=9, choices=_choices(LedgerBucket))
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    to_bucket = models.CharField(max_length=9, choices=_choices(LedgerBucket))
    reason = models.CharField(max_length=10, choices=_choices(LedgerReason))
    order_id = models.BigIntegerField(null=True, blank=True)
    trade_id = models.BigIntegerField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"entry {self.id}: {self.amount} {self.asset_id} {self.reason}"


class MarketSequence(models.Model):
    """The last sequence numbers published for a market's trade and book streams."""

    market = models.OneToOneField(
        Market, primary_key=True, on_delete=models.CASCADE, related_name="sequence"
    )
    trades = models.BigIntegerField(default=0)
    book = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.market_id}: trades {self.trades}, book {self.book}"
