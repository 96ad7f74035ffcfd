from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from paperex.apps.core.amounts import AmountField, asset_code_field
from paperex.apps.core.ids import LARGEST_ID
from paperex.apps.markets.instruments import market_percent_price
from paperex.apps.markets.models import Asset, Candle, Market
from paperex.domain import PercentPriceBySide


class AssetSerializer(serializers.ModelSerializer[Asset]):
    class Meta:
        model = Asset
        fields = ["code", "name", "kind", "decimals"]


class PercentPriceBySideSerializer(serializers.Serializer[PercentPriceBySide]):
    """Binance's PERCENT_PRICE_BY_SIDE as the market applies it: a buy's price must lie between
    the reference price times ``bid_multiplier_down`` and times ``bid_multiplier_up``, a
    sell's between the ask multipliers."""

    bid_multiplier_up = AmountField(read_only=True)
    bid_multiplier_down = AmountField(read_only=True)
    ask_multiplier_up = AmountField(read_only=True)
    ask_multiplier_down = AmountField(read_only=True)


class MarketSerializer(serializers.ModelSerializer[Market]):
    base = asset_code_field()
    quote = asset_code_field()
    tick_size = AmountField(read_only=True)
    step_size = AmountField(read_only=True)
    min_notional = AmountField(read_only=True)
    percent_price_by_side = serializers.SerializerMethodField()
    maker_fee_rate = AmountField(read_only=True)
    taker_fee_rate = AmountField(read_only=True)

    class Meta:
        model = Market
        fields = [
            "symbol",
            "base",
            "quote",
            "kind",
            "status",
            "tick_size",
            "step_size",
            "min_notional",
            "percent_price_by_side",
            "venue",
            "venue_symbol",
            "mode",
            "maker_fee_rate",
            "taker_fee_rate",
        ]

    @extend_schema_field(PercentPriceBySideSerializer)
    def get_percent_price_by_side(self, market: Market) -> dict[str, Any]:
        return percent_price_by_side_data(market)


def percent_price_by_side_data(market: Market) -> dict[str, Any]:
    """The market's price band as the API and the pages show it (multipliers as strings)."""
    return dict(PercentPriceBySideSerializer(market_percent_price(market)).data)


class CandleQuerySerializer(serializers.Serializer[None]):
    interval = serializers.ChoiceField(choices=Candle.Interval.choices, default="1m")
    start = serializers.IntegerField(
        min_value=0, max_value=LARGEST_ID, required=False, help_text="ms since the epoch"
    )
    end = serializers.IntegerField(
        min_value=0, max_value=LARGEST_ID, required=False, help_text="ms since the epoch"
    )
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=500)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "start" in attrs and "end" in attrs and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError("start must not be after end.")
        return attrs


class CandleSerializer(serializers.ModelSerializer[Candle]):
    open = AmountField(read_only=True)
    high = AmountField(read_only=True)
    low = AmountField(read_only=True)
    close = AmountField(read_only=True)
    volume = AmountField(read_only=True)
    quote_volume = AmountField(read_only=True)

    class Meta:
        model = Candle
        fields = ["open_time", *Candle.VALUE_FIELDS]


class BookQuerySerializer(serializers.Serializer[None]):
    depth = serializers.IntegerField(min_value=1, max_value=5000, default=100)
