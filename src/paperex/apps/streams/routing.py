from django.urls import path

from paperex.apps.streams.consumers.market_stream import MarketStreamConsumer
from paperex.apps.streams.consumers.market_view import AllMarketsConsumer, MarketViewConsumer
from paperex.apps.streams.consumers.stock_monitor import StockMonitorConsumer
from paperex.apps.streams.consumers.user_stream import UserStreamConsumer

websocket_urlpatterns = [
    path("stream/", MarketStreamConsumer.as_asgi()),
    path("ws/stocks/<str:ticker>/", StockMonitorConsumer.as_asgi()),
    path("ws/markets/", AllMarketsConsumer.as_asgi()),
    path("ws/markets/<str:symbol>/", MarketViewConsumer.as_asgi()),
    path("ws/user/", UserStreamConsumer.as_asgi()),
]
