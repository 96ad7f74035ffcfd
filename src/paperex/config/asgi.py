"""The ASGI application: Django for HTTP, Channels for WebSockets, market data on lifespan."""

import asyncio
import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperex.config.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

# Django must be set up before anything imports models, so this comes first.
django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from paperex.apps.binance.order_lane import (  # noqa: E402
    binance_order_lane,
    takes_binance_order_lane,
)
from paperex.apps.binance.routing import websocket_urlpatterns as binance_routes  # noqa: E402
from paperex.apps.core.address_limits import address_limited  # noqa: E402
from paperex.apps.core.body_limit import body_limited  # noqa: E402
from paperex.apps.core.collector import tune_for_serving  # noqa: E402
from paperex.apps.core.fast_lane import fast_lane  # noqa: E402
from paperex.apps.core.limits import share_counts_forever  # noqa: E402
from paperex.apps.core.metrics import fold_hot_counters_forever  # noqa: E402
from paperex.apps.marketdata.runtime import runtime  # noqa: E402
from paperex.apps.streams.auth import JwtAuthMiddleware  # noqa: E402
from paperex.apps.streams.routing import websocket_urlpatterns  # noqa: E402
from paperex.apps.streams.security import BrowserOriginValidator  # noqa: E402
from paperex.apps.trading.api.order_lane import (  # noqa: E402
    order_entry_lane,
    takes_order_fast_lane,
)
from paperex.apps.trading.gateway.gateway import engine_gateway  # noqa: E402
from paperex.config.server import WORKER_ENVIRONMENT  # noqa: E402
from paperex.support.async_tasks import cancel_and_wait  # noqa: E402
from paperex.support.process_exit import exit_with_parent  # noqa: E402


async def lifespan(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Start market data (and the embedded matching engine) with the server process and stop
    them with the process. A worker of ``serve --workers N`` also exits with its supervisor.
    With Redis, the limits' counts are shared with the other processes; the fan-out's metric
    counts are folded into their Prometheus counters."""
    parent_watch: asyncio.Task[None] | None = None
    sharing: asyncio.Task[None] | None = None
    folding: asyncio.Task[None] | None = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await runtime.start(run_feeds=settings.PAPEREX_RUN_FEEDS)
                if settings.PAPEREX_RUN_ENGINE:
                    await engine_gateway.start(max_batch=settings.PAPEREX_ENGINE_MAX_BATCH)
            except Exception as error:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                return
            if settings.PAPEREX_REDIS_URL:
                sharing = asyncio.create_task(
                    share_counts_forever(settings.PAPEREX_REDIS_URL), name="limits-sharing"
                )
            folding = asyncio.create_task(fold_hot_counters_forever(), name="metrics-folding")
            supervisor = os.environ.get(WORKER_ENVIRONMENT)
            if supervisor:
                parent_watch = asyncio.create_task(
                    exit_with_parent(int(supervisor)), name="parent-watch"
                )
            tune_for_serving()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await cancel_and_wait(parent_watch, sharing, folding)
            await engine_gateway.stop()
            await runtime.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        "http": address_limited(
            body_limited(
                fast_lane(
                    fast_lane(
                        django_application,
                        order_entry_lane(django_application),
                        takes_order_fast_lane,
                    ),
                    binance_order_lane(),
                    takes_binance_order_lane,
                ),
                lambda: settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
            )
        ),
        "websocket": address_limited(
            BrowserOriginValidator(
                AuthMiddlewareStack(
                    JwtAuthMiddleware(URLRouter(websocket_urlpatterns + binance_routes))
                )
            )
        ),
        "lifespan": lifespan,
    }
)
