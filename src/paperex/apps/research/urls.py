from django.urls import path

from paperex.apps.research.apis import BacktestDetailApi, BacktestListApi

urlpatterns = [
    path("backtests/", BacktestListApi.as_view(), name="backtest-list"),
    path("backtests/<id:run_id>/", BacktestDetailApi.as_view(), name="backtest-detail"),
]
