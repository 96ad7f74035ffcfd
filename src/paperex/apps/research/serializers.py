"""The shapes of the backtest API: a request on stored candles (JSON) or on an uploaded CSV
(multipart), and a backtest as listed and as read with its result."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from paperex.apps.markets.models import Candle
from paperex.apps.research.backtest_requests import (
    DEFAULT_STRATEGY,
    CsvSource,
    MarketSource,
    Source,
)
from paperex.apps.research.models import BacktestRun
from paperex.backtest.arguments import ArgumentError, utc_milliseconds
from paperex.backtest.strategies import BUILT_IN

MOST_CASH = 1e15


class _BacktestSettingsSerializer(serializers.Serializer[None]):
    """What every backtest request says besides its data: the strategy and the execution."""

    strategy = serializers.CharField(
        default=DEFAULT_STRATEGY, help_text=f"one of {', '.join(BUILT_IN)}"
    )
    parameters = serializers.JSONField(
        default=dict,
        help_text='the strategy\'s parameters, e.g. {"fast": 50, "slow": 200}; defaults for '
        "those not given (in a multipart form: the object as JSON text)",
    )
    cash = serializers.FloatField(default=10_000.0, max_value=MOST_CASH)
    fee = serializers.FloatField(
        required=False,
        allow_null=True,
        help_text="a fraction of each fill's value; default: the market's taker fee, 0.001 for "
        "a CSV",
    )
    slippage_bps = serializers.FloatField(default=0.0, help_text="basis points against you")
    size = serializers.FloatField(default=1.0, help_text="the share of equity a position takes")
    fill_at = serializers.ChoiceField(
        choices=["open", "close"], default="open", help_text="the next bar's open, or the close"
    )
    allow_short = serializers.BooleanField(default=False)

    def validate_parameters(self, parameters: Any) -> dict[str, Any]:
        if not isinstance(parameters, dict):
            raise serializers.ValidationError("parameters must be an object of name: value")
        return parameters

    def data_source(self) -> Source:
        raise NotImplementedError

    def start_arguments(self) -> dict[str, Any]:
        """The validated request as ``backtest_run_start``'s arguments."""
        data = self.validated_data
        return {
            "source": self.data_source(),
            "strategy": data["strategy"],
            "parameters": data["parameters"],
            "execution": {
                name: data.get(name)
                for name in ("cash", "fee", "slippage_bps", "size", "fill_at", "allow_short")
            },
        }


class BacktestMarketRequestSerializer(_BacktestSettingsSerializer):
    """A backtest on a market's stored candles."""

    symbol = serializers.CharField(max_length=32, help_text="a market, e.g. BTCUSDT")
    interval = serializers.ChoiceField(choices=Candle.Interval.values, default="1m")
    start = serializers.CharField(
        required=False, help_text="YYYY-MM-DD or an ISO 8601 time (UTC when naive), inclusive"
    )
    end = serializers.CharField(required=False, help_text="as start, exclusive")

    def validate_start(self, text: str) -> int:
        return _milliseconds(text)

    def validate_end(self, text: str) -> int:
        return _milliseconds(text)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("start"), attrs.get("end")
        if start is not None and end is not None and start >= end:
            raise serializers.ValidationError({"end": "end must be after start"})
        return attrs

    def data_source(self) -> Source:
        data = self.validated_data
        return MarketSource(data["symbol"], data["interval"], data.get("start"), data.get("end"))


class BacktestCsvRequestSerializer(_BacktestSettingsSerializer):
    """A backtest on an uploaded CSV (a time and a close column; open, high, low, volume when
    present); the file alone runs the 50/200 SMA crossover."""

    csv = serializers.FileField(help_text="the bars, at most the request body limit")

    def data_source(self) -> Source:
        upload = self.validated_data["csv"]
        return CsvSource(name=(upload.name or "upload.csv")[:255], content=upload.read())


def _milliseconds(text: str) -> int:
    try:
        return utc_milliseconds(text)
    except ArgumentError as error:
        raise serializers.ValidationError(str(error)) from None


class BacktestQueuedSerializer(serializers.Serializer[BacktestRun]):
    """A backtest just queued: where to follow it."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, run: BacktestRun) -> str:
        return backtest_url(run)


def backtest_url(run: BacktestRun) -> str:
    return reverse("backtest-detail", kwargs={"run_id": run.pk})


class BacktestRunSerializer(serializers.ModelSerializer[BacktestRun]):
    """A backtest as listed: its request and state, not its result."""

    url = serializers.SerializerMethodField()
    request = serializers.JSONField(
        read_only=True,
        help_text='{"source": {"kind": "market", "symbol", "interval", "start", "end"} or '
        '{"kind": "csv", "name"}, "strategy", "parameters", "execution"}',
    )

    class Meta:
        model = BacktestRun
        fields = [
            "id",
            "url",
            "status",
            "progress",
            "request",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_url(self, run: BacktestRun) -> str:
        return backtest_url(run)


def _figure() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True)


class StatisticsSerializer(serializers.Serializer[dict[str, Any]]):
    """A run's statistics (``paperex.backtest.statistics.Statistics``): fractions as floats
    (0.05 is 5 %), times in UTC milliseconds and counts as integers; null where undefined."""

    start = serializers.IntegerField(help_text="the first bar's time")
    end = serializers.IntegerField(help_text="the last bar's time")
    start_equity = serializers.FloatField()
    final_equity = serializers.FloatField()
    peak_equity = serializers.FloatField()
    total_return = serializers.FloatField()
    annualized_return = _figure()
    volatility = _figure()
    sharpe = _figure()
    sortino = _figure()
    max_drawdown = serializers.FloatField()
    max_drawdown_duration = serializers.IntegerField(help_text="milliseconds")
    trades = serializers.IntegerField(help_text="closed trades")
    open_trades = serializers.IntegerField()
    win_rate = _figure()
    profit_factor = _figure()
    average_trade = _figure()
    best_trade = _figure()
    worst_trade = _figure()
    exposure = serializers.FloatField()


class BacktestRunDetailSerializer(BacktestRunSerializer):
    """A backtest with its result once done (null before, and when it failed)."""

    bars = serializers.DictField(
        source="result.bars", read_only=True, allow_null=True, help_text="count, start, end"
    )
    statistics = StatisticsSerializer(source="result.statistics", read_only=True, allow_null=True)
    buy_and_hold = StatisticsSerializer(
        source="result.buy_and_hold",
        read_only=True,
        allow_null=True,
        help_text="the statistics of buying on the first fill and holding",
    )
    refused_entries = serializers.IntegerField(
        source="result.refused_entries", read_only=True, allow_null=True
    )
    trades = serializers.ListField(
        source="result.trades", child=serializers.DictField(), read_only=True, allow_null=True
    )
    series = serializers.DictField(
        source="result.series",
        child=serializers.ListField(child=_figure()),
        read_only=True,
        allow_null=True,
        help_text="time, close, equity, buy_and_hold, drawdown at up to 1,000 evenly spaced bars",
    )

    class Meta(BacktestRunSerializer.Meta):
        fields = [
            *BacktestRunSerializer.Meta.fields,
            "bars",
            "statistics",
            "buy_and_hold",
            "refused_entries",
            "trades",
            "series",
        ]
        read_only_fields = fields
