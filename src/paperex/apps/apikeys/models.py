"""API keys for the Binance-compatible API: HMAC-SHA256 keys (a secret the server keeps,
encrypted) and Ed25519 keys (the user's public key; the server holds no secret)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

API_KEY_LENGTH = 64
LABEL_MAX_LENGTH = 64


class ApiKey(models.Model):
    """One key of a user's; a revoked key keeps its row (``revoked_at``) and never verifies."""

    class Kind(models.TextChoices):
        HMAC = "HMAC", "HMAC-SHA256"
        ED25519 = "ED25519", "Ed25519"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    label = models.CharField(max_length=LABEL_MAX_LENGTH)
    api_key = models.CharField(
        max_length=API_KEY_LENGTH, unique=True, help_text="Sent as X-MBX-APIKEY."
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    secret_encrypted = models.TextField(
        blank=True, help_text="HMAC: the secret, encrypted (secret_box); empty for Ed25519."
    )
    public_key = models.TextField(blank=True, help_text="Ed25519: the public key, PEM.")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="apikey_user_active")]

    def __str__(self) -> str:
        return f"{self.label} ({self.kind}, {self.api_key[:8]}…)"
