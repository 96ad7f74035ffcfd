"""The system user that collects fees: fees are ordinary balances and ledger entries of it."""

from __future__ import annotations

from django.contrib.auth import get_user_model

FEE_ACCOUNT_USERNAME = "paperex-fees"


def fee_account_ensure() -> int:
    """The fee account's user id, created inactive and without a password on first use."""
    user, created = get_user_model().objects.get_or_create(
        username=FEE_ACCOUNT_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return int(user.pk)
