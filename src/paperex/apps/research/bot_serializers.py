"""The shapes of the bots API: a bot to create, a bot as listed, and one with its holdings and
orders."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from paperex.apps.core.amounts import AmountField, format_amount
from paperex.apps.research.backtest_requests import DEFAULT_STRATEGY
from paperex.apps.research.models import Bot
from paperex.apps.research.selectors import BotReport
from paperex.apps.trading.models import Order
from paperex.backtest.strategies import BUILT_IN


class BotCreateSerializer(serializers.Serializer[None]):
    """A bot to start: a strategy with its parameters on a market's candles of an interval,
    buying with ``allocation`` of the quote asset on each entry."""

    symbol = serializers.CharField(max_length=32, help_text="a trading market, e.g. BTCUSDT")
    interval = serializers.ChoiceField(choices=Bot.INTERVALS, default="1m")
    strategy = serializers.CharField(
        default=DEFAULT_STRATEGY, help_text=f"one of {', '.join(BUILT_IN)}"
    )
    parameters = serializers.DictField(
        default=dict, help_text='e.g. {"fast": 50, "slow": 200}; defaults for those not given'
    )
    allocation = AmountField(help_text="quote amount each entry buys with, e.g. 100")


class BotSerializer(serializers.ModelSerializer[Bot]):
    """A bot as listed: what it runs and where it stands."""

    url = serializers.SerializerMethodField()
    symbol = serializers.CharField(source="market.symbol", read_only=True)
    allocation = AmountField(read_only=True)
    position = AmountField(read_only=True, help_text="base quantity its orders bought and hold")
    last_candle = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="open time (ms) of the last candle it decided on"
    )

    class Meta:
        model = Bot
        fields = [
            "id",
            "url",
            "symbol",
            "interval",
            "strategy",
            "parameters",
            "allocation",
            "status",
            "position",
            "last_candle",
            "orders_placed",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, bot: Bot) -> str:
        return reverse("bot-detail", kwargs={"bot_id": bot.pk})


class BotOrderSerializer(serializers.ModelSerializer[Order]):
    """One of the bot's orders."""

    side = serializers.CharField(read_only=True, help_text="BUY or SELL")
    status = serializers.CharField(read_only=True, help_text="the order's status, as Binance's")
    executed_quantity = AmountField(read_only=True)
    cumulative_quote = AmountField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "client_order_id",
            "side",
            "status",
            "executed_quantity",
            "cumulative_quote",
            "created_at",
        ]
        read_only_fields = fields


class BotDetailSerializer(BotSerializer):
    """A bot with what its fills left it, valued at the market's last price, and its orders:
    the bot's ``BotReport`` is the context's ``report``."""

    quote_spent = serializers.SerializerMethodField(
        help_text="quote paid less quote received, fees included"
    )
    market_value = serializers.SerializerMethodField(
        help_text="position at the last price; null before the market's first trade"
    )
    pnl = serializers.SerializerMethodField(help_text="market_value less quote_spent, or null")
    orders = serializers.SerializerMethodField()

    class Meta(BotSerializer.Meta):
        fields = [*BotSerializer.Meta.fields, "quote_spent", "market_value", "pnl", "orders"]
        read_only_fields = fields

    @property
    def report(self) -> BotReport:
        report: BotReport = self.context["report"]
        return report

    def get_quote_spent(self, bot: Bot) -> str:
        return format_amount(self.report.holdings.quote_spent)

    def get_market_value(self, bot: Bot) -> str | None:
        value = self.report.value
        return None if value is None else format_amount(value)

    def get_pnl(self, bot: Bot) -> str | None:
        value = self.report.value
        return None if value is None else format_amount(value - self.report.holdings.quote_spent)

    @extend_schema_field(BotOrderSerializer(many=True))
    def get_orders(self, bot: Bot) -> Any:
        return BotOrderSerializer(self.report.orders, many=True).data


class _ReconciledSideSerializer(serializers.Serializer[dict[str, Any]]):
    quantity = serializers.FloatField()
    entry_price = serializers.FloatField()
    exit_time = serializers.IntegerField(allow_null=True, help_text="null while open")
    exit_price = serializers.FloatField(allow_null=True)


class _ReconciledTradeSerializer(serializers.Serializer[dict[str, Any]]):
    entry_time = serializers.IntegerField(help_text="open time (ms) of the entry candle")
    backtest = _ReconciledSideSerializer(allow_null=True, help_text="null: only the bot made it")
    live = _ReconciledSideSerializer(allow_null=True, help_text="null: only the backtest made it")
    backtest_pnl = serializers.FloatField(allow_null=True)
    live_pnl = serializers.FloatField(allow_null=True, help_text="after fees, open at last price")
    entry_price_difference = serializers.FloatField(allow_null=True, help_text="live - backtest")
    exit_price_difference = serializers.FloatField(allow_null=True)
    pnl_difference = serializers.FloatField(allow_null=True, help_text="live - backtest")


class BotReconciliationSerializer(serializers.Serializer[Any]):
    """A bot's trades beside its backtest's on the candles it saw (floats: a research view)."""

    bars = serializers.IntegerField()
    start = serializers.IntegerField(allow_null=True, help_text="first bar's open time (ms)")
    end = serializers.IntegerField(allow_null=True, help_text="last bar's open time (ms)")
    trades = _ReconciledTradeSerializer(many=True)
