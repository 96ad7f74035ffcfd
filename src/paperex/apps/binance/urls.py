"""The Binance-compatible paths: ``v3/...`` under ``/api/`` (``api_patterns``) and
``sapi_patterns`` under ``/sapi/``. Any other path under either answers 404 with -1020."""

from django.urls import URLPattern, path, re_path

from paperex.apps.binance import sapi, trading_views, views

urlpatterns = [
    path("v3/ping", views.ping, name="binance-ping"),
    path("v3/time", views.server_time, name="binance-time"),
    path("v3/exchangeInfo", views.exchange_info, name="binance-exchange-info"),
    path("v3/depth", views.depth, name="binance-depth"),
    path("v3/trades", views.recent_trades, name="binance-trades"),
    path("v3/aggTrades", views.aggregate_trades, name="binance-agg-trades"),
    path("v3/klines", views.klines, name="binance-klines"),
    path("v3/uiKlines", views.klines, name="binance-ui-klines"),
    path("v3/avgPrice", views.average_price, name="binance-avg-price"),
    path("v3/ticker/24hr", views.ticker_24hr, name="binance-ticker-24hr"),
    path("v3/ticker/price", views.price_ticker, name="binance-ticker-price"),
    path("v3/ticker/bookTicker", views.book_ticker, name="binance-book-ticker"),
    path("v3/order", trading_views.order, name="binance-order"),
    path("v3/order/test", trading_views.order_test_view, name="binance-order-test"),
    path(
        "v3/order/cancelReplace",
        trading_views.order_cancel_replace_view,
        name="binance-order-cancel-replace",
    ),
    path("v3/openOrders", trading_views.open_orders_view, name="binance-open-orders"),
    path("v3/allOrders", trading_views.all_orders_view, name="binance-all-orders"),
    path("v3/myTrades", trading_views.my_trades_view, name="binance-my-trades"),
    path("v3/account", trading_views.account_view, name="binance-account"),
    path(
        "v3/account/commission",
        trading_views.account_commission_view,
        name="binance-account-commission",
    ),
    re_path(r"^v3(?:/|$)", views.unknown_endpoint),
]

sapi_patterns: list[URLPattern] = [
    path("v1/capital/config/getall", sapi.currencies, name="binance-sapi-currencies"),
    path("v1/margin/allPairs", sapi.margin_pairs, name="binance-sapi-margin-pairs"),
    path("v1/margin/isolated/allPairs", sapi.margin_pairs, name="binance-sapi-isolated-pairs"),
    path("v1/system/status", sapi.system_status, name="binance-sapi-status"),
    path("v1/asset/tradeFee", sapi.trade_fees, name="binance-sapi-trade-fee"),
    re_path(r"", views.unknown_endpoint),
]
