"""The order lanes' own work: the ASGI apps of POST /api/v3/order (signed, FULL) and
POST /api/orders/ (Bearer token), timed in one process with the engine's reply made at once.

What the server's benchmark (``binance_api.py``) cannot tell apart from the engine, the database
and the machine's noise: the CPU each lane spends per order outside them (parameters, signature,
weights, the answer and its headers). Both apps run exactly as served, on a fresh data folder
(``order_entry.py``'s users, SQLite unless DATABASE_URL is set), with ``engine_gateway.execute``
answering every placement with the same resting order; the key is kept after its first use, as in
a server. Prints µs per order for each lane, ``--rounds`` times.

    .venv/bin/python bench/order_lanes.py --orders 3000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from typing import Any

from _limits import add_limits_option
from binance_api import signed_order_body
from order_entry import bench_env, prepare

CHILD = "PAPEREX_BENCH_ORDER_LANES_CHILD"
SIGNED = "application/x-www-form-urlencoded"


def _native_body(rng: random.Random) -> bytes:
    price = f"{rng.randint(1000, 2000)}.{rng.randint(0, 99):02d}"
    order = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": price}
    return json.dumps({**order, "quantity": "0.01"}).encode()


async def _time(app: Any, scope: dict[str, Any], bodies: list[bytes], ok: int) -> float:
    """Seconds per request of ``app`` over ``bodies``; raises if one is not answered ``ok``."""
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    started = time.perf_counter()
    for body in bodies:

        async def receive(body: bytes = body) -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(dict(scope), receive, send)
    spent = (time.perf_counter() - started) / len(bodies)
    if set(statuses) != {ok}:
        raise SystemExit(f"answered {sorted(set(statuses))}, expected {ok}")
    return spent


def _scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": b"",
        "client": ("127.0.0.1", 40000),
        "headers": headers,
    }


def child(orders: int, rounds: int) -> None:
    """In the prepared environment: time both lanes (see the module)."""
    import django

    django.setup()
    from rest_framework_simplejwt.tokens import AccessToken

    from paperex.apps.accounts.models import User
    from paperex.apps.apikeys.services import apikey_create
    from paperex.apps.binance.order_lane import binance_order_lane
    from paperex.apps.trading.api.order_lane import order_entry_lane
    from paperex.apps.trading.gateway import gateway
    from paperex.apps.trading.protocol import EngineReply
    from paperex.apps.trading.schemas import OrderView

    user = User.objects.get(username="bench-0")
    created = apikey_create(user_id=user.pk, label="lanes")
    resting = OrderView(
        id=1,
        symbol="BTCUSDT",
        client_order_id="x-HNA2TXFJ1",
        side="BUY",
        type="LIMIT",
        time_in_force="GTC",
        price="1500.00",
        stop_price=None,
        quantity="0.01000000",
        quote_order_qty=None,
        executed_quantity="0",
        cumulative_quote="0",
        status="NEW",
        status_reason="",
        self_trade_prevention="NONE",
        created_at="2026-12-01T00:00:00+00:00",
        updated_at="2026-12-01T00:00:00+00:00",
    )

    async def answered_at_once(command: object, **_: object) -> EngineReply:
        return EngineReply(orders=[resting])

    gateway.engine_gateway.execute = answered_at_once  # type: ignore[method-assign]
    rng = random.Random(1)
    binance = binance_order_lane()
    native = order_entry_lane(binance)  # a refused token would go on: none is
    binance_scope = _scope(
        "/api/v3/order",
        [(b"x-mbx-apikey", created.key.api_key.encode()), (b"content-type", SIGNED.encode())],
    )
    token = f"Bearer {AccessToken.for_user(user)}".encode()
    native_scope = _scope(
        "/api/orders/", [(b"authorization", token), (b"content-type", b"application/json")]
    )

    def bodies() -> tuple[list[bytes], list[bytes]]:
        signed = [signed_order_body(created.secret_key.encode(), rng, None) for _ in range(orders)]
        return signed, [_native_body(rng) for _ in range(orders)]

    async def run() -> None:
        signed, plain = bodies()  # a warm-up round: the key read and kept, the markets loaded
        await _time(binance, binance_scope, signed, 200)
        await _time(native, native_scope, plain, 201)
        for _ in range(rounds):
            signed, plain = bodies()
            binance_s = await _time(binance, binance_scope, signed, 200)
            native_s = await _time(native, native_scope, plain, 201)
            print(
                f"binance FULL {binance_s * 1e6:6.1f} µs/order, native {native_s * 1e6:6.1f}"
                f" µs/order, difference {(binance_s - native_s) * 1e6:5.1f} µs"
            )

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000, help="per lane and round")
    parser.add_argument("--rounds", type=int, default=3)
    add_limits_option(parser)
    options = parser.parse_args()
    if os.environ.get(CHILD):
        child(options.orders, options.rounds)
        return
    env = bench_env(options.limits)
    prepare(env, 1)
    subprocess.run([sys.executable, *sys.argv], env={**env, CHILD: "1"}, check=True)


if __name__ == "__main__":
    main()
