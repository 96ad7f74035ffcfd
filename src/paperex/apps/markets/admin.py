from django.contrib import admin

from paperex.apps.markets.models import Asset, Candle, Market


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin[Asset]):
    list_display = ["code", "name", "kind", "decimals"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin[Market]):
    list_display = [
        "symbol",
        "kind",
        "status",
        "tick_size",
        "step_size",
        "min_notional",
        "percent_price_bid_multiplier_up",
        "percent_price_bid_multiplier_down",
        "percent_price_ask_multiplier_up",
        "percent_price_ask_multiplier_down",
        "venue",
    ]
    list_filter = ["kind", "status", "venue"]
    search_fields = ["symbol", "venue_symbol"]
    list_select_related = ["base", "quote"]


@admin.register(Candle)
class CandleAdmin(admin.ModelAdmin[Candle]):
    list_display = ["market", "interval", "open_time", "open", "high", "low", "close", "volume"]
    list_filter = ["interval", "market"]
    list_select_related = ["market"]
