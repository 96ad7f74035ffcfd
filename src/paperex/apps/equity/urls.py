from django.urls import path

from paperex.apps.equity.apis import EquityHistoryApi

urlpatterns = [
    path("portfolio/equity/", EquityHistoryApi.as_view(), name="equity-history"),
]
