from django.urls import path

from paperex.apps.web import views

app_name = "web"

urlpatterns = [
    path("", views.markets_page, name="home"),
    path("signup/", views.signup_page, name="signup"),
    path("markets/", views.markets_page, name="markets"),
    path("trade/<str:symbol>/", views.trade_page, name="trade"),
    path("portfolio/", views.portfolio_page, name="portfolio"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("journal/", views.journal_page, name="journal"),
    path("backtest/", views.backtest_page, name="backtest"),
    path("bots/", views.bots_page, name="bots"),
    path("keys/", views.keys_page, name="keys"),
    path("listings/", views.listings_page, name="listings"),
    path("monitor/", views.monitor_page, name="monitor"),
    path("streams/candles/", views.candle_stream_page, name="candle-stream"),
    path("streams/trades/", views.trade_stream_page, name="trade-stream"),
]
