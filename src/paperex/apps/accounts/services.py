"""Writes for user accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from paperex.apps.accounts.models import User
from paperex.apps.trading.services import balances_grant_starting


@transaction.atomic
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
    balances_grant_starting(user=user)
    return user


@transaction.atomic
def user_ensure(*, username: str, password: str) -> User:
    """Create the user if missing, or reset its password; starting balances either way."""
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.save()
    balances_grant_starting(user=user)
    return user
