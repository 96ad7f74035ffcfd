from django.urls import path

from paperex.apps.trading.apis import (
    AccountResetApi,
    BalanceListApi,
    FillListApi,
    MarketBookApi,
    OrderCancelAllApi,
    OrderDetailApi,
    OrderListApi,
    PortfolioApi,
    PublicTradeListApi,
)

urlpatterns = [
    path("orders/", OrderListApi.as_view(), name="order-list"),
    path("orders/cancel-all/", OrderCancelAllApi.as_view(), name="order-cancel-all"),
    path("orders/<int:order_id>/", OrderDetailApi.as_view(), name="order-detail"),
    path("fills/", FillListApi.as_view(), name="fill-list"),
    path("balances/", BalanceListApi.as_view(), name="balance-list"),
    path("portfolio/", PortfolioApi.as_view(), name="portfolio"),
    path("account/reset/", AccountResetApi.as_view(), name="account-reset"),
    path("markets/<str:symbol>/book/", MarketBookApi.as_view(), name="market-book"),
    path("markets/<str:symbol>/trades/", PublicTradeListApi.as_view(), name="market-trades"),
]
