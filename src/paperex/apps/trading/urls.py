"""Trading's HTTP endpoints under ``/api/``.

``POST /api/orders/`` with a Bearer token (a program's order) does not come through here: the
ASGI order lane ``api/order_lane.py`` (wired in ``paperex.config.asgi``) places it with the same
service as ``OrderListApi.post`` and answers the same way. Everything else, including a
browser's order with its session, goes through these views.
"""

from django.urls import path

from paperex.apps.trading.api.account import BalanceListApi, FillListApi, PortfolioApi
from paperex.apps.trading.api.market import MarketBookApi, PublicTradeListApi
from paperex.apps.trading.api.orders import (
    OrderCancelAllApi,
    OrderDetailApi,
    OrderListApi,
    OrderLookupApi,
)

urlpatterns = [
    path("orders/", OrderListApi.as_view(), name="order-list"),
    path("orders/cancel-all/", OrderCancelAllApi.as_view(), name="order-cancel-all"),
    path("orders/lookup/", OrderLookupApi.as_view(), name="order-lookup"),
    path("orders/<id:order_id>/", OrderDetailApi.as_view(), name="order-detail"),
    path("fills/", FillListApi.as_view(), name="fill-list"),
    path("balances/", BalanceListApi.as_view(), name="balance-list"),
    path("portfolio/", PortfolioApi.as_view(), name="portfolio"),
    path("markets/<str:symbol>/book/", MarketBookApi.as_view(), name="market-book"),
    path("markets/<str:symbol>/trades/", PublicTradeListApi.as_view(), name="market-trades"),
]
