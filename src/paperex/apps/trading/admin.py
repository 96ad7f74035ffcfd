from django.contrib import admin

from paperex.apps.trading.models import Balance


@admin.register(Balance)
class BalanceAdmin(admin.ModelAdmin[Balance]):
    list_display = ["user", "asset", "free", "locked"]
    list_filter = ["asset"]
    search_fields = ["user__username", "asset__code"]
    list_select_related = ["user", "asset"]
