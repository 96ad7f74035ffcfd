"""Reads of the user's balances."""

from __future__ import annotations

from django.db.models import QuerySet

from paperex.apps.trading.models import Balance


def balance_list(*, user_id: int) -> QuerySet[Balance]:
    """The user's balances by asset code."""
    return Balance.objects.filter(user_id=user_id).select_related("asset").order_by("asset__code")
