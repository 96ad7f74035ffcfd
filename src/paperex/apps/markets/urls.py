from django.urls import path

from paperex.apps.markets.apis import (
    AssetListApi,
    MarketDetailApi,
    MarketListApi,
)

urlpatterns = [
    path("assets/", AssetListApi.as_view(), name="asset-list"),
    path("markets/", MarketListApi.as_view(), name="market-list"),
    path("markets/<str:symbol>/", MarketDetailApi.as_view(), name="market-detail"),
]
