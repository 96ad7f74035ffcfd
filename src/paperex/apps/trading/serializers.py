from rest_framework import serializers

from paperex.apps.core.fields import AmountField, asset_code_field
from paperex.apps.trading.models import Balance


class BalanceSerializer(serializers.ModelSerializer[Balance]):
    asset = asset_code_field()
    free = AmountField(read_only=True)
    locked = AmountField(read_only=True)

    class Meta:
        model = Balance
        fields = ["asset", "free", "locked"]
