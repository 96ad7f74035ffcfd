from django.urls import path

from paperex.apps.markets.apis import (
    AssetListApi,
    CandleListApi,
    MarketDetailApi,
    MarketListApi,
    TickerApi,
)
from paperex.apps.markets.replay_apis import (
    RecordingListApi,
    ReplayDetailApi,
    ReplayListApi,
    ReplayStopApi,
)

urlpatterns = [
    path("assets/", AssetListApi.as_view(), name="asset-list"),
    path("markets/", MarketListApi.as_view(), name="market-list"),
    path("markets/<str:symbol>/", MarketDetailApi.as_view(), name="market-detail"),
    path("markets/<str:symbol>/candles/", CandleListApi.as_view(), name="market-candles"),
    path("markets/<str:symbol>/ticker/", TickerApi.as_view(), name="market-ticker"),
    path("admin/recordings/", RecordingListApi.as_view(), name="recording-list"),
    path("admin/replays/", ReplayListApi.as_view(), name="replay-list"),
    path("admin/replays/<int:session_id>/", ReplayDetailApi.as_view(), name="replay-detail"),
    path("admin/replays/<int:session_id>/stop/", ReplayStopApi.as_view(), name="replay-stop"),
]
