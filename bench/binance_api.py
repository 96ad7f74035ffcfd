"""Signed Binance order entry through the real server: POST /api/v3/order against Paperex's own
POST /api/orders/, from closed-loop keep-alive clients on one server.

Starts ``paperex serve`` as ``order_entry.py`` does (embedded engine as shipped, no feed; on
PostgreSQL when DATABASE_URL is set, else SQLite in a temporary folder), registers one user per
client and gives each user a new HMAC API key. Three lanes run in turn on that server, each
after a second of warm-up, ``--rounds`` times (each lane's figures are over all of its rounds):
the orders rest, so the book and the tables grow as the run goes on, and a lane that ran only
after the others would meet a bigger book than they did: each round starts with the next lane
(``lanes_in_turn``), so that over three rounds each lane runs first, second and last once:

- ``native``: ``POST /api/orders/`` with a Bearer token and a JSON body (``order_entry.py``'s
  requests);
- ``binance FULL``: ``POST /api/v3/order`` as python-binance's ``order_limit_buy`` sends it: a
  form body with its parameters sorted by name, a fresh ``timestamp``, ``recvWindow=10000``, a
  ``newClientOrderId`` of its ``x-HNA2TXFJ`` form, no ``newOrderRespType`` (so a LIMIT order
  is answered FULL, with its fills), signed with HMAC-SHA256 over the raw body, the key in
  ``X-MBX-APIKEY``; this is the lane the goals are about;
- ``binance ACK``: the same with ``newOrderRespType=ACK`` (ccxt can be told to ask for it).

Orders are non-crossing LIMIT buys (far below any price), so every one is stored and rests.
Goals: the FULL lane at 2,000 orders/s or more with a p99 under 50 ms, and at least 0.8x the
native lane.

Then the market streams: ``--stream-clients`` (1,000) Binance ``/ws`` clients, each SUBSCRIBEd
to ``<symbol>@kline_1m``, ``@ticker`` and ``@miniTicker`` of one of ``--stream-markets`` markets,
on a ``paperex serve`` of ``--workers`` processes on Redis, while ``fanout.py``'s publisher sends
``--stream-rate`` events/s into the market-data bus for ``--stream-seconds`` (each event stamped
with its send time in µs in ``E``). Goals, the fan-out benchmark's: 100,000 msgs/s or more
delivered, a p99 under 100 ms, none lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/binance_api.py --clients 64 --seconds 10
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import fanout
from _http_load import LoadResult, post_with_headers
from _limits import add_limits_option
from _ws_client import BINANCE_STREAMS
from order_entry import (
    SHIPPED_MAX_BATCH,
    bench_env,
    database_of,
    load,
    order_makers,
    prepare,
    print_table,
    serving,
)

GOAL_ORDERS_PER_S = 2000
GOAL_P99_MS = 50
GOAL_RATIO = 0.8
GOAL_STREAM_MSGS_PER_S = 100_000
GOAL_STREAM_P99_MS = 100
OK = b" 200 "
MAKE_KEYS = """
import json
import django; django.setup()
from paperex.apps.apikeys.models import ApiKey
from paperex.apps.apikeys.services import apikey_create
from paperex.apps.accounts.models import User
keys = []
for index in range({count}):
    user = User.objects.get(username=f"bench-{{index}}")
    ApiKey.objects.filter(user=user, label="bench").delete()  # a run's keys outlive no run
    created = apikey_create(user_id=user.pk, label="bench")
    keys.append([created.key.api_key, created.secret_key])
print(json.dumps(keys))
"""


def api_keys(env: dict[str, str], clients: int) -> list[tuple[str, str]]:
    """A new HMAC (api key, secret) for each of the first ``clients`` bench users."""
    script = MAKE_KEYS.format(count=clients)
    made = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return [(key, secret) for key, secret in json.loads(made.stdout.splitlines()[-1])]


def signed_makers(
    keys: list[tuple[str, str]], response_type: str | None
) -> list[Callable[[], bytes]]:
    """One maker of signed new-order requests per key; each draws its client order ids from a
    fresh random seed, as python-binance does (Paperex keeps client order ids unique for good, so
    no later run or lane may repeat one)."""
    return [_signed_maker(key, secret, random.Random(), response_type) for key, secret in keys]


def signed_order_body(mac_key: bytes, rng: random.Random, response_type: str | None) -> bytes:
    """A signed LIMIT buy's form body as python-binance's ``order_limit_buy`` sends it."""
    parameters = {
        "newClientOrderId": f"x-HNA2TXFJ{rng.getrandbits(88):x}",
        "price": f"{rng.randint(1000, 2000)}.{rng.randint(0, 99):02d}",
        "quantity": "0.01",
        "recvWindow": "10000",
        "side": "BUY",
        "symbol": "BTCUSDT",
        "timeInForce": "GTC",
        "timestamp": str(int(time.time() * 1000)),
        "type": "LIMIT",
    }
    if response_type is not None:
        parameters["newOrderRespType"] = response_type
    payload = "&".join(f"{name}={value}" for name, value in sorted(parameters.items()))
    signature = hmac.new(mac_key, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}&signature={signature}".encode()


def _signed_maker(
    api_key: str, secret: str, rng: random.Random, response_type: str | None
) -> Callable[[], bytes]:
    mac_key = secret.encode()
    headers = {"X-MBX-APIKEY": api_key, "Content-Type": "application/x-www-form-urlencoded"}

    def make() -> bytes:
        body = signed_order_body(mac_key, rng, response_type)
        return post_with_headers("/api/v3/order", body, headers)

    return make


def measure(
    env: dict[str, str], clients: int, seconds: float, rounds: int
) -> dict[str, LoadResult]:
    """Each lane's load on one server, the users already registered (``prepare``): the lanes
    in turn, ``rounds`` times, each result over all of its lane's rounds."""
    keys = api_keys(env, clients)
    with serving(env, SHIPPED_MAX_BATCH) as (port, pid):
        lanes = {
            "native": (order_makers(port, clients), b" 201 "),
            "binance FULL": (signed_makers(keys, None), OK),
            "binance ACK": (signed_makers(keys, "ACK"), OK),
        }
        runs: dict[str, list[LoadResult]] = {name: [] for name in lanes}
        for number in range(rounds):
            for name in lanes_in_turn(list(lanes), number):
                makers, ok_status = lanes[name]
                runs[name].append(load(port, makers, seconds, ok_status, server_pid=pid))
            print(
                f"round {number + 1}: "
                + ", ".join(f"{name} {runs[name][-1].per_second:,.0f}/s" for name in lanes),
                flush=True,
            )
        return {name: LoadResult.combined(results) for name, results in runs.items()}


def lanes_in_turn(names: list[str], number: int) -> list[str]:
    """The lanes' order in round ``number``: each round starts one lane later, so that over as
    many rounds as there are lanes each runs first, second and last once. The orders rest, and
    a lane that always ran after another would always meet the bigger book and tables."""
    shift = number % len(names)
    return names[shift:] + names[:shift]


def goals(binance: LoadResult, native: LoadResult) -> dict[str, bool]:
    return {
        f"orders_per_s>={GOAL_ORDERS_PER_S}": binance.per_second >= GOAL_ORDERS_PER_S,
        f"p99_ms<{GOAL_P99_MS}": binance.percentile(0.99) < GOAL_P99_MS,
        f"ratio>={GOAL_RATIO}": binance.per_second >= GOAL_RATIO * native.per_second,
    }


def stream_fanout(options: argparse.Namespace) -> dict[str, Any]:
    """Binance ``/ws`` clients on a server fed through the market-data bus (see the module)."""
    with tempfile.TemporaryDirectory(prefix="paperex-bench-binance-streams-") as data_dir:
        env = fanout.fanout_env(data_dir, options.redis_url, options.limits)
        symbols = fanout.seeded_symbols(env)[: options.stream_markets]
        port = fanout.free_port()
        clients = argparse.Namespace(
            clients=options.stream_clients,
            client_processes=options.client_processes,
            drain=options.drain,
        )
        return fanout.measure(
            "binance /ws",
            fanout.paperex_server(port, options.workers, env),
            port,
            lambda: fanout.publish_paperex(
                options.redis_url,
                symbols,
                options.stream_rate,
                options.stream_seconds,
                BINANCE_STREAMS.streams,
            ),
            clients,
            symbols,
            BINANCE_STREAMS,
        )


def stream_goals(result: dict[str, Any]) -> dict[str, bool]:
    return {
        f"msgs_per_s>={GOAL_STREAM_MSGS_PER_S}": (
            result["delivered_per_second"] >= GOAL_STREAM_MSGS_PER_S
        ),
        f"p99_ms<{GOAL_STREAM_P99_MS}": result["p99_ms"] < GOAL_STREAM_P99_MS,
        "none_lost": result["lost"] == 0 and result["clients_closed"] == 0,
    }


def print_streams(result: dict[str, Any]) -> None:
    print(
        f"binance /ws: {result['clients']:,} clients x {len(BINANCE_STREAMS.streams)} streams, "
        f"{result['events_per_second']:,} events/s: {result['delivered_per_second']:,} msgs/s "
        f"delivered, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"lost {result['lost']:,}, closed {result['clients_closed']:,}"
    )
    for goal, reached in stream_goals(result).items():
        print(f"goal {goal} (binance /ws): {'met' if reached else 'NOT met'}")


def order_entry(options: argparse.Namespace) -> None:
    """The three order lanes on one server (see the module), printed."""
    env = bench_env(options.limits)
    database = database_of(env)
    prepare(env, options.clients)
    results = measure(env, options.clients, options.seconds, options.rounds)
    native, full, ack = results["native"], results["binance FULL"], results["binance ACK"]
    print(
        f"POST /api/v3/order vs POST /api/orders/, {options.clients} clients, "
        f"{options.rounds} rounds of {options.seconds:g} s, {database}, limits {options.limits}"
    )
    print_table("lane", results)
    print(
        f"binance FULL / native: {full.per_second / max(native.per_second, 1e-9):.2f}, "
        f"binance ACK / native: {ack.per_second / max(native.per_second, 1e-9):.2f}"
    )
    met = goals(full, native)
    for goal, reached in met.items():
        print(f"goal {goal} (binance FULL): {'met' if reached else 'NOT met'}")
    print(
        json.dumps(
            {
                "bench": "binance_api",
                "database": database,
                "clients": options.clients,
                "rounds": options.rounds,
                "seconds_per_round": options.seconds,
                "limits": options.limits,
                "native": native.summary(),
                "binance_full": full.summary(),
                "binance_ack": ack.summary(),
                "ratio": round(full.per_second / max(native.per_second, 1e-9), 2),
                "ratio_ack": round(ack.per_second / max(native.per_second, 1e-9), 2),
                "goals_met": met,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64, help="0: skip the orders")
    parser.add_argument("--seconds", type=float, default=10, help="per lane and round")
    parser.add_argument("--rounds", type=int, default=3, help="the lanes in turn, this often")
    parser.add_argument("--stream-clients", type=int, default=1000, help="0: skip the streams")
    parser.add_argument("--stream-markets", type=int, default=10)
    parser.add_argument(
        "--stream-rate",
        type=float,
        default=1200,
        help="events per second; 1,200 offers 120,000 msgs/s, above the 100,000 goal, so that"
        " the goal measures the hub and not the offered load",
    )
    parser.add_argument("--stream-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, help="server processes (streams)")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--drain", type=float, default=10, help="max seconds to wait at the end")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    )
    add_limits_option(parser)
    options = parser.parse_args()
    if options.clients:
        order_entry(options)
    if options.stream_clients:
        streams = stream_fanout(options)
        print_streams(streams)
        print(
            json.dumps({"bench": "binance_streams", **streams, "goals_met": stream_goals(streams)})
        )


if __name__ == "__main__":
    main()
