from django.urls import path

from paperex.apps.journal.apis import JournalExportApi, JournalTradeDetailApi, JournalTradeListApi

urlpatterns = [
    path("trades/", JournalTradeListApi.as_view(), name="journal-trade-list"),
    path("trades/export.csv", JournalExportApi.as_view(), name="journal-export"),
    path("trades/<id:trade_id>/", JournalTradeDetailApi.as_view(), name="journal-trade-detail"),
]
