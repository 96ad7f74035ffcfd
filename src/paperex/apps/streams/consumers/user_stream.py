"""``WS /ws/user/``: one user's orders, fills, balances and alerts, and placing and cancelling
orders over the socket (kept exactly for older tools).

Authenticated by the session cookie or a JWT (see ``auth``). Every open connection of a user
is in the channel-layer group ``user.<id>``, where the engine host publishes after commit.
"""

from __future__ import annotations

from typing import Any

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from rest_framework.exceptions import APIException

from paperex.apps.core.errors import PaperexError, render_error
from paperex.apps.core.groups import user_group
from paperex.apps.streams.consumers.base import HubConsumer
from paperex.apps.trading.models import Order
from paperex.apps.trading.schemas import OrderView, plain
from paperex.apps.trading.selectors.orders import order_get
from paperex.apps.trading.services.orders import order_cancel, order_place_from_request

NOT_AUTHENTICATED_CLOSE_CODE = 4401
FILL_MESSAGES = {
    "FILLED": "Order was filled",
    "PARTIALLY_FILLED": "Order was partially filled",
}


def _error_frame(error: PaperexError | APIException) -> dict[str, Any]:
    rendered = render_error(error)
    assert rendered is not None
    frame = {"status_code": rendered.status, **rendered.body}
    if rendered.retry_after is not None:
        frame["retry_after"] = rendered.retry_after
    return frame


def _cancel_own_order(user_id: int, order_id: int) -> OrderView:
    order = order_get(user_id=user_id, order_id=order_id)  # another user's: DoesNotExist
    return order_cancel(user_id=user_id, order_id=order.pk, symbol=order.market.symbol)


class UserStreamConsumer(HubConsumer):
    channel_layer_alias = DEFAULT_CHANNEL_LAYER  # its messages come through the group

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        await self.start_outbound()
        if user is None or not user.is_authenticated:
            await self.refuse(
                {"error": "Log in, or pass a JWT access token (Authorization: Bearer, ?token=)."},
                NOT_AUTHENTICATED_CLOSE_CODE,
            )
            return
        self.user_id = int(user.pk)
        self.group = user_group(self.user_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.reply({"event": "connected", "user": user.get_username()})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        await super().disconnect(code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        request = await self.decode_request(text_data)
        if request is None:
            return
        action = request.pop("action", None)
        if action == "create_order":
            await self._create_order(request)
        elif action == "cancel_order":
            await self._cancel_order(request)
        else:
            self.reply(
                {
                    "status_code": 400,
                    "message": f"Unknown action {action!r}: use create_order or cancel_order.",
                }
            )

    async def _create_order(self, fields: dict[str, Any]) -> None:
        try:
            placement = await order_place_from_request(user_id=self.user_id, data=fields)
        except (PaperexError, APIException) as error:
            self.reply(_error_frame(error))
        else:
            message = "Order was created" if placement.created else "Order already exists"
            self.reply({"status_code": 200, "message": message, "order": plain(placement.order)})

    async def _cancel_order(self, request: dict[str, Any]) -> None:
        order_id = request.get("order_id")
        if not isinstance(order_id, int) or isinstance(order_id, bool):
            self.reply({"status_code": 400, "message": "order_id: a whole number is required."})
            return
        try:
            order = await database_sync_to_async(_cancel_own_order)(self.user_id, order_id)
        except Order.DoesNotExist:
            self.reply({"status_code": 400, "message": f"You have no order {order_id}."})
        except PaperexError as error:
            self.reply(_error_frame(error))
        else:
            self.reply(
                {"status_code": 200, "message": "Order was cancelled", "order": plain(order)}
            )

    # Group messages from the engine host (see paperex.apps.trading.host.publication).

    async def order_update(self, message: dict[str, Any]) -> None:
        order = message["order"]
        frame: dict[str, Any] = {"event": "order_update", "order": order}
        if order.get("status") in FILL_MESSAGES:
            frame["message"] = FILL_MESSAGES[order["status"]]
        self.reply(frame)

    async def order_fill(self, message: dict[str, Any]) -> None:
        self.reply({"event": "fill", "fill": message["fill"]})

    async def balance_update(self, message: dict[str, Any]) -> None:
        self.reply({"event": "balances", "balances": message["balances"]})

    async def alert_triggered(self, message: dict[str, Any]) -> None:
        self.reply({"event": "alert", "alert": message["alert"]})
