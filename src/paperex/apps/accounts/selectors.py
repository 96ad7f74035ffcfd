from __future__ import annotations

from django.db.models import Prefetch

from paperex.apps.accounts.models import User
from paperex.apps.trading.models import Balance


def account_get(*, user_id: int) -> User:
    """The user with balances prefetched (asset included)."""
    balances = Balance.objects.select_related("asset").order_by("asset__code")
    return User.objects.prefetch_related(Prefetch("balances", queryset=balances)).get(pk=user_id)
