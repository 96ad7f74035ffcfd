from __future__ import annotations

from rest_framework import serializers

from paperex.apps.accounts.models import User
from paperex.apps.trading.api.serializers import BalanceSerializer


class RegistrationSerializer(serializers.Serializer[User]):
    username = serializers.RegexField(
        r"^[\w.@+-]{3,150}$",
        error_messages={
            "invalid": "Use 3-150 letters, digits and @/./+/-/_ only.",
        },
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value


class UserSerializer(serializers.ModelSerializer[User]):
    # A plain string in the schema: an account registered without an address answers "".
    email = serializers.CharField(
        read_only=True, help_text="The e-mail address given at registration, or empty."
    )

    class Meta:
        model = User
        fields = ["id", "username", "email", "date_joined"]
        read_only_fields = fields


class AccountSerializer(UserSerializer):
    balances = BalanceSerializer(many=True, read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "balances"]
        read_only_fields = fields
