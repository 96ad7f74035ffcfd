from django.urls import path

from paperex.apps.journal.analysis_apis import TradeAnalysisDayApi, TradeAnalysisRunApi
from paperex.apps.journal.apis import JournalExportApi, JournalTradeDetailApi, JournalTradeListApi

urlpatterns = [
    path("trades/", JournalTradeListApi.as_view(), name="journal-trade-list"),
    path("trades/export.csv", JournalExportApi.as_view(), name="journal-export"),
    path("trades/<id:trade_id>/", JournalTradeDetailApi.as_view(), name="journal-trade-detail"),
    path("trade-analysis/", TradeAnalysisRunApi.as_view(), name="trade-analysis"),
    path("trade-analysis/<str:day>/", TradeAnalysisDayApi.as_view(), name="trade-analysis-day"),
]
