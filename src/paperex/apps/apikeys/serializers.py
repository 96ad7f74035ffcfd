from __future__ import annotations

from rest_framework import serializers

from paperex.apps.apikeys.models import LABEL_MAX_LENGTH, ApiKey
from paperex.apps.apikeys.services import CreatedApiKey

PUBLIC_KEY_MAX_LENGTH = 1000
"""An Ed25519 public key in PEM is about 113 characters."""


class ApiKeyCreateSerializer(serializers.Serializer[None]):
    """A new key: HMAC-SHA256 (the server makes a secret, shown once) unless `public_key` (an
    Ed25519 public key in PEM) is given."""

    # A field named `label` hides Field.label (its title), which the stubs type as a string.
    label = serializers.CharField(max_length=LABEL_MAX_LENGTH)  # type: ignore[assignment]
    public_key = serializers.CharField(
        required=False, max_length=PUBLIC_KEY_MAX_LENGTH, trim_whitespace=False
    )


class ApiKeySerializer(serializers.ModelSerializer[ApiKey]):
    """A key as listed: never its secret."""

    class Meta:
        model = ApiKey
        fields = ["id", "label", "kind", "api_key", "public_key", "created_at"]


class ApiKeyCreatedSerializer(serializers.Serializer[CreatedApiKey]):
    """A key just created, with its secret: the only answer that tells it (null for Ed25519)."""

    id = serializers.IntegerField(source="key.id")
    label = serializers.CharField(source="key.label")  # type: ignore[assignment]
    kind = serializers.ChoiceField(source="key.kind", choices=ApiKey.Kind.choices)
    api_key = serializers.CharField(source="key.api_key")
    secret_key = serializers.CharField(
        allow_null=True, help_text="HMAC: the secret, shown this once; null for Ed25519."
    )
    public_key = serializers.CharField(
        source="key.public_key", help_text="Ed25519: the public key (PEM); empty for HMAC."
    )
    created_at = serializers.DateTimeField(source="key.created_at")
