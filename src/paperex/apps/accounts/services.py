"""Writes for user accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from paperex.apps.accounts.models import User
from paperex.apps.equity.services import equity_snapshot_record_on_commit
from paperex.apps.trading.services.funding import balances_grant_starting, funds_reset


@transaction.atomic
def user_register(*, username: str, password: str, email: str = "", admin: bool = False) -> User:
    """Create a user with the virtual starting balances (both or neither).

    Raises django.core.exceptions.ValidationError for a weak password, and
    EngineUnavailableError when the balances cannot be granted.
    """
    user = User(username=username, email=email, is_staff=admin, is_superuser=admin)
    validate_password(password, user=user)
    user.set_password(password)
    user.save()
    balances_grant_starting(user_id=user.pk)
    return user


@transaction.atomic
def user_ensure(*, username: str, password: str) -> User:
    """Create the user if missing, or reset its password; starting balances either way."""
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    balances_grant_starting(user_id=user.pk)
    return user


def account_reset(*, user: User) -> None:
    """Cancel the user's open orders and set their balances back to the starting balances;
    their equity curve gets a snapshot of the reset.

    Raises EngineUnavailableError when no engine can do it.
    """
    funds_reset(user_id=user.pk)
    equity_snapshot_record_on_commit(user_id=user.pk)
