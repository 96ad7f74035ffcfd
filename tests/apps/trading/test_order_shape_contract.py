"""One order renders to the same body through every transport: the REST API, the engine's
reply (in-process and over Redis) and the user stream's ``order_update`` frame."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from paperex.apps.accounts.models import User
from paperex.apps.accounts.services import user_register
from paperex.apps.trading.gateway.gateway import engine_gateway
from paperex.apps.trading.host.host import EngineHost
from paperex.apps.trading.protocol import decode_reply, encode
from paperex.apps.trading.selectors.markets import order_entry_market
from paperex.config.asgi import application
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce
from paperex.domain.commands import PlaceOrder
from paperex.engine import place_order_from_decimals
from paperex.support.clock import wall_clock_ms

pytestmark = pytest.mark.django_db(transaction=True)


def _rest_order(user: User, order_id: int) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user=user)
    response = client.get(f"/api/orders/{order_id}/")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


async def test_an_order_has_one_body_in_rest_engine_reply_redis_and_user_stream(
    host: EngineHost,
) -> None:
    alice = await sync_to_async(user_register)(username="alice", password="x-long-password-1")
    socket = WebsocketCommunicator(application, f"/ws/user/?token={AccessToken.for_user(alice)}")
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from(timeout=5))["event"] == "connected"

    market = await order_entry_market(symbol="BTCUSDT")
    assert market is not None
    command = place_order_from_decimals(
        market.spec.instrument,
        market.quote,
        timestamp=wall_clock_ms(),
        user_id=alice.pk,
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        time_in_force=TimeInForce.GTC,
        quantity=Decimal("0.01"),
        price=Decimal("25000"),
        client_order_id="contract-1",
        self_trade_prevention=SelfTradePrevention.EXPIRE_MAKER,
    )
    assert isinstance(command, PlaceOrder)
    reply = await engine_gateway.execute(command)
    assert reply.rejection_reason is None, reply.rejection_message
    engine_body = msgspec.to_builtins(reply.orders[0])
    over_redis = msgspec.to_builtins(decode_reply(encode(reply)).orders[0])
    frame = await socket.receive_json_from(timeout=5)
    while frame.get("event") != "order_update":
        frame = await socket.receive_json_from(timeout=5)
    stream_body = frame["order"]
    rest_body = await sync_to_async(_rest_order)(alice, engine_body["id"])
    await socket.disconnect()

    assert engine_body["status"] == "NEW"
    assert engine_body["price"] == "25000"
    assert rest_body == engine_body
    assert over_redis == engine_body
    assert stream_body == engine_body
