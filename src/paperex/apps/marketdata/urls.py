from django.urls import path

from paperex.apps.marketdata.apis import CandleListApi, TickerApi
from paperex.apps.marketdata.replay_apis import (
    RecordingListApi,
    ReplayDetailApi,
    ReplayListApi,
    ReplayStopApi,
)

urlpatterns = [
    path("markets/<str:symbol>/candles/", CandleListApi.as_view(), name="market-candles"),
    path("markets/<str:symbol>/ticker/", TickerApi.as_view(), name="market-ticker"),
    path("admin/recordings/", RecordingListApi.as_view(), name="recording-list"),
    path("admin/replays/", ReplayListApi.as_view(), name="replay-list"),
    path("admin/replays/<id:session_id>/", ReplayDetailApi.as_view(), name="replay-detail"),
    path("admin/replays/<id:session_id>/stop/", ReplayStopApi.as_view(), name="replay-stop"),
]
