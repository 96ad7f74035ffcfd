"""``WS /ws-api/v3``: Binance's WebSocket API (web-socket-api.md) over the REST facade's
handlers, and the user data stream of the users a connection subscribed to.

A subscribed connection is in each such user's channel-layer group (``core.groups.user_group``),
where the engine host publishes after commit; every subscribed connection of a user gets each of
the user's events. Requests are answered in the order they came, each after the one before.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async

from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.signatures import SignedRequestError, api_key_rejected
from paperex.apps.binance.endpoint import Answer
from paperex.apps.binance.errors import BinanceError
from paperex.apps.binance.parameters import QueryReader
from paperex.apps.binance.weights import address_key, order_counts, weight_check, weight_use
from paperex.apps.binance.ws_api import calls, frames, user_events
from paperex.apps.binance.ws_api.parameters import rest_parameters
from paperex.apps.binance.ws_api.session import Session
from paperex.apps.core.groups import user_group
from paperex.apps.core.limits import client_address
from paperex.apps.core.metrics import limits_hit
from paperex.apps.streams.consumers.base import (
    FLOODING_CLOSE_CODE,
    MAX_MESSAGE_CHARS,
    MESSAGES_PER_SECOND,
    HubConsumer,
)
from paperex.support.clock import wall_clock_ms

CONNECTION_WEIGHT = 2
SESSION_WEIGHT = 2
LOGON_PARAMETERS = ("apiKey", "timestamp", "recvWindow", "signature")


def flag(value: Any, default: bool) -> bool:
    """A ``returnRateLimits`` value: a JSON boolean or its text; else ``default``."""
    if value in (True, "true"):
        return True
    if value in (False, "false"):
        return False
    return default


def session_parameters(parameters: dict[str, str], *names: str) -> None:
    """Raises -1104 when a session method got a param other than ``names``."""
    reader = QueryReader(parameters)
    reader.mark_read(*names, calls.RETURN_RATE_LIMITS)
    reader.ensure_all_read()


class WsApiConsumer(HubConsumer):
    channel_layer_alias = DEFAULT_CHANNEL_LAYER  # user data stream events come through groups

    async def connect(self) -> None:
        await self.accept()
        await self.start_outbound()
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        default_limits = flag(query.get("returnRateLimits", [None])[-1], True)
        self.session = Session(connected_since=wall_clock_ms(), return_rate_limits=default_limits)
        self.weight_key = address_key(client_address(self.scope))
        self.joined: set[int] = set()
        weight_use(self.weight_key, CONNECTION_WEIGHT)

    async def disconnect(self, code: int) -> None:
        for user_id in getattr(self, "joined", set()):
            await self.channel_layer.group_discard(user_group(user_id), self.channel_name)
        await super().disconnect(code)

    # Requests ------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closed_for_flooding:
            return
        if not self.rate_limit.allow():
            await self._refuse_flood()
            return
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            self.reply(frames.failure(None, 400, frames.malformed_frame().body(), None))
            return
        try:
            request = frames.request_of(text_data)
        except frames.RequestError as refused:
            self.reply(frames.failure(refused.request_id, 400, refused.error.body(), None))
            return
        show_limits = flag(
            request.params.get(calls.RETURN_RATE_LIMITS), self.session.return_rate_limits
        )
        parameters = rest_parameters(request.params)
        order_user: int | None = None
        error: dict[str, Any] | None
        try:
            weight_check(self.weight_key)
            result, weight, order_user = await self._call(request.method, parameters)
        except SignedRequestError as unsigned:
            status, error = unsigned.status, unsigned.body()
            weight = self._refused_weight(request.method)
        except BinanceError as refused:
            status, error = refused.status, refused.body()
            weight = self._refused_weight(request.method)
        else:
            status, error = 200, None
        used = weight_use(self.weight_key, weight)
        limits = None
        if show_limits:
            counts = [] if order_user is None else order_counts(order_user)
            limits = frames.rate_limits(used, counts)
        if error is None:
            self.reply(frames.success(request.id, result, limits))
        else:
            self.reply(frames.failure(request.id, status, error, limits))

    async def _refuse_flood(self) -> None:
        limits_hit.labels("ws_messages").inc()
        if self.refusals.allow():
            error = BinanceError(
                -1003, f"Too many requests; current limit is {MESSAGES_PER_SECOND} per second."
            )
            self.reply(frames.failure(None, 429, error.body(), None))
        else:
            self.closed_for_flooding = True
            await self.close(code=FLOODING_CLOSE_CODE)

    @staticmethod
    def _refused_weight(method: str) -> int:
        if method in calls.PUBLIC_METHODS:
            return calls.PUBLIC_METHODS[method].weight
        if method in calls.SIGNED_METHODS:
            return calls.SIGNED_METHODS[method].weight
        return SESSION_WEIGHT if method in SESSION_METHODS else 1

    async def _call(self, method: str, parameters: dict[str, str]) -> tuple[Any, int, int | None]:
        """The method's result, its weight, and the user whose order counts it reports (an
        order placement's); raises SignedRequestError or BinanceError."""
        view = calls.PUBLIC_METHODS.get(method)
        if view is not None:
            answer: Answer = await database_sync_to_async(calls.public_call)(view, parameters)
            return answer.body, answer.weight, None
        endpoint = calls.SIGNED_METHODS.get(method)
        if endpoint is not None:
            try:
                signed = await database_sync_to_async(calls.signed_call)(
                    endpoint, parameters, self.session.api_key
                )
            except SignedRequestError as unsigned:
                if unsigned.code == -2015 and self.session.api_key is not None:
                    await self._end_subscriptions(self.session.log_out())
                raise
            order_user = signed.user_id if endpoint.places_orders else None
            return signed.answer.body, signed.answer.weight, order_user
        handler = SESSION_METHODS.get(method)
        if handler is None:
            raise frames.method_unknown()
        return await handler(self, parameters), SESSION_WEIGHT, None

    # Session methods -----------------------------------------------------------------------

    async def _logon(self, parameters: dict[str, str]) -> Any:
        session_parameters(parameters, *LOGON_PARAMETERS)
        key: ApiKey = await database_sync_to_async(calls.verified_key)(parameters)
        if key.kind != ApiKey.Kind.ED25519:
            raise api_key_rejected()
        if self.session.user_id != key.user_id:
            await self._end_subscriptions(self.session.log_out())
        self.session.log_on(api_key=key.api_key, user_id=key.user_id, now=wall_clock_ms())
        return self.session.status(wall_clock_ms())

    async def _status(self, parameters: dict[str, str]) -> Any:
        session_parameters(parameters)
        return self.session.status(wall_clock_ms())

    async def _logout(self, parameters: dict[str, str]) -> Any:
        session_parameters(parameters)
        await self._end_subscriptions(self.session.log_out())
        return self.session.status(wall_clock_ms())

    async def _subscribe_signature(self, parameters: dict[str, str]) -> Any:
        session_parameters(parameters, *LOGON_PARAMETERS)
        key: ApiKey = await database_sync_to_async(calls.verified_key)(parameters)
        return await self._subscribe(key.user_id, by_logon=False)

    async def _subscribe_logged_on(self, parameters: dict[str, str]) -> Any:
        session_parameters(parameters)
        if self.session.user_id is None:
            raise BinanceError(-1002, "You are not authorized to execute this request.", status=401)
        return await self._subscribe(self.session.user_id, by_logon=True)

    async def _subscribe(self, user_id: int, *, by_logon: bool) -> Any:
        number = self.session.subscribe(user_id=user_id, by_logon=by_logon)
        if user_id not in self.joined:
            await self.channel_layer.group_add(user_group(user_id), self.channel_name)
            self.joined.add(user_id)
        return {"subscriptionId": number}

    async def _unsubscribe(self, parameters: dict[str, str]) -> Any:
        reader = QueryReader(parameters)
        reader.mark_read(calls.RETURN_RATE_LIMITS)
        number = reader.integer("subscriptionId")
        reader.ensure_all_read()
        numbers = list(self.session.subscriptions) if number is None else [number]
        await self._end_subscriptions([n for n in numbers if n in self.session.subscriptions])
        return {}

    async def _subscriptions(self, parameters: dict[str, str]) -> Any:
        session_parameters(parameters)
        return [{"subscriptionId": number} for number in self.session.subscriptions]

    async def _end_subscriptions(self, numbers: list[int]) -> None:
        """Tell each subscription it ended, forget it, and leave the groups nobody follows."""
        now = wall_clock_ms()
        for number in numbers:
            self.reply(frames.event(number, user_events.stream_terminated(now)))
            user_id = self.session.subscriptions.pop(number).user_id
            if not self.session.subscribed(user_id):
                await self.channel_layer.group_discard(user_group(user_id), self.channel_name)
                self.joined.discard(user_id)

    # Group messages from the engine host (see paperex.apps.trading.host.publication) --------

    def _publish(self, user_id: int, events: list[dict[str, Any]]) -> None:
        for number in self.session.subscriptions_of(user_id):
            for payload in events:
                self.reply(frames.event(number, payload))

    async def order_update(self, message: dict[str, Any]) -> None:
        self._publish(message["user_id"], user_events.execution_reports(message, wall_clock_ms()))

    async def order_fill(self, message: dict[str, Any]) -> None:
        """Told with the order's update (its ``executions``)."""

    async def balance_update(self, message: dict[str, Any]) -> None:
        now = wall_clock_ms()
        transfers = user_events.balance_updates(message.get("transfers", []), now)
        position = user_events.account_position(message["balances"], now)
        self._publish(message["user_id"], [*transfers, position])

    async def alert_triggered(self, message: dict[str, Any]) -> None:
        """Price alerts are no part of Binance's user data stream."""


SESSION_METHODS = {
    "session.logon": WsApiConsumer._logon,
    "session.status": WsApiConsumer._status,
    "session.logout": WsApiConsumer._logout,
    "userDataStream.subscribe.signature": WsApiConsumer._subscribe_signature,
    "userDataStream.subscribe": WsApiConsumer._subscribe_logged_on,
    "userDataStream.unsubscribe": WsApiConsumer._unsubscribe,
    "session.subscriptions": WsApiConsumer._subscriptions,
}
