from django.contrib import admin

from paperex.apps.apikeys.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys can be looked at and revoked (by setting revoked_at); the secret is never shown."""

    list_display = ["label", "user", "kind", "created_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["label", "user__username"]
    exclude = ["secret_encrypted"]
    readonly_fields = ["user", "api_key", "kind", "public_key", "created_at"]
