from django.urls import path

from paperex.apps.research.apis import BacktestDetailApi, BacktestListApi
from paperex.apps.research.bot_apis import (
    BotDetailApi,
    BotListApi,
    BotPauseApi,
    BotReconciliationApi,
    BotResumeApi,
    BotStopApi,
)

urlpatterns = [
    path("backtests/", BacktestListApi.as_view(), name="backtest-list"),
    path("backtests/<id:run_id>/", BacktestDetailApi.as_view(), name="backtest-detail"),
    path("bots/", BotListApi.as_view(), name="bot-list"),
    path("bots/<id:bot_id>/", BotDetailApi.as_view(), name="bot-detail"),
    path(
        "bots/<id:bot_id>/reconciliation/",
        BotReconciliationApi.as_view(),
        name="bot-reconciliation",
    ),
    path("bots/<id:bot_id>/pause/", BotPauseApi.as_view(), name="bot-pause"),
    path("bots/<id:bot_id>/resume/", BotResumeApi.as_view(), name="bot-resume"),
    path("bots/<id:bot_id>/stop/", BotStopApi.as_view(), name="bot-stop"),
]
