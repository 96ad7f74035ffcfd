from django.urls import path

from paperex.apps.streams.market_consumers import AllMarketsConsumer, MarketViewConsumer
from paperex.apps.streams.stock_consumer import StockMonitorConsumer
from paperex.apps.streams.stream_consumer import MarketStreamConsumer
from paperex.apps.streams.user_consumer import UserStreamConsumer

websocket_urlpatterns = [
    path("stream/", MarketStreamConsumer.as_asgi()),
    path("ws/stocks/<str:ticker>/", StockMonitorConsumer.as_asgi()),
    path("ws/markets/", AllMarketsConsumer.as_asgi()),
    path("ws/markets/<str:symbol>/", MarketViewConsumer.as_asgi()),
    path("ws/user/", UserStreamConsumer.as_asgi()),
]
