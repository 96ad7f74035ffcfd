from rest_framework import serializers

from paperex.apps.core.fields import AmountField, asset_code_field
from paperex.apps.markets.models import Asset, Market


class AssetSerializer(serializers.ModelSerializer[Asset]):
    class Meta:
        model = Asset
        fields = ["code", "name", "kind", "decimals"]


class MarketSerializer(serializers.ModelSerializer[Market]):
    base = asset_code_field()
    quote = asset_code_field()
    tick_size = AmountField(read_only=True)
    step_size = AmountField(read_only=True)
    min_notional = AmountField(read_only=True)

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
            "venue",
            "venue_symbol",
        ]
