"""How fast is the matching engine: ours against two peer order books, same commands, same run.

The command stream follows exchange-core's published single-market mix: 9% GTC orders, 3% IOC
orders, 6% cancels and 82% moves (price changes), over about 1,000 resting orders spread across
about 750 price levels. It is generated from a seed by a small shadow book, so every cancel and
move names an order that is really resting at that moment, and the three engines must end in
the same state (checked at the end).

- ours: ``paperex.engine.MatchingEngine`` with balances, fees, ledger entries and events;
  move = AmendOrder with a new price.
- limit-order-book (C++ core via ctypes): no amend and no IOC, so move = cancel + add and
  IOC = crossing limit + cancel of the rest.
- pyorderbook (pure Python): the same translation, with its own Order objects built up front.

Each engine runs the stream twice from the same prefilled book: once untimed per command for
throughput, once with ``time.perf_counter_ns`` around each command for latency percentiles.
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from bisect import bisect_left, insort
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from paperex.domain import (
    Asset,
    Instrument,
    MarketSpec,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.domain.commands import AmendOrder, CancelOrder, Deposit, PlaceOrder
from paperex.engine import BUILD as ENGINE_BUILD
from paperex.engine import MatchingEngine

GTC, IOC, CANCEL, MOVE = 0, 1, 2, 3
MID_PRICE = 100_000
SYMBOL = "BENCH"
Operation = tuple[int, int, int, bool, int, int]
"""(kind, order id, user id, is buy, price, quantity); for MOVE the quantity still resting."""


class ShadowBook:
    """Just enough of a price-time book to know which orders rest, and how much, at each step."""

    def __init__(self) -> None:
        self.orders: dict[int, list[Any]] = {}  # id -> [is_buy, price, remaining]
        self.levels: tuple[dict[int, list[int]], dict[int, list[int]]] = ({}, {})  # asks, bids
        self.prices: tuple[list[int], list[int]] = ([], [])
        self.live: list[int] = []
        self.live_index: dict[int, int] = {}

    def add(self, order_id: int, is_buy: bool, price: int, quantity: int) -> None:
        self.orders[order_id] = [is_buy, price, quantity]
        levels, prices = self.levels[is_buy], self.prices[is_buy]
        if price not in levels:
            levels[price] = []
            insort(prices, price)
        levels[price].append(order_id)
        self.live_index[order_id] = len(self.live)
        self.live.append(order_id)

    def remove(self, order_id: int) -> list[Any]:
        order = self.orders.pop(order_id)
        is_buy, price, _ = order
        levels, prices = self.levels[is_buy], self.prices[is_buy]
        queue = levels[price]
        queue.remove(order_id)
        if not queue:
            del levels[price]
            del prices[bisect_left(prices, price)]
        index = self.live_index.pop(order_id)
        last = self.live.pop()
        if last != order_id:
            self.live[index] = last
            self.live_index[last] = index
        return order

    def take(self, is_buy: bool, limit: int, quantity: int) -> None:
        """Match an incoming order against the opposite side; the rest is dropped (IOC)."""
        levels, prices = self.levels[not is_buy], self.prices[not is_buy]
        while quantity and prices:
            price = prices[0] if is_buy else prices[-1]
            if (price > limit) if is_buy else (price < limit):
                return
            maker_id = levels[price][0]
            maker = self.orders[maker_id]
            traded = min(quantity, maker[2])
            quantity -= traded
            maker[2] -= traded
            if not maker[2]:
                self.remove(maker_id)

    def best(self, is_buy: bool) -> int | None:
        prices = self.prices[is_buy]
        if not prices:
            return None
        return prices[-1] if is_buy else prices[0]


def generate(
    seed: int, commands: int, resting: int, half_range: int, users: int
) -> tuple[list[Operation], list[Operation], dict[str, float]]:
    """(prefill, stream, shape statistics) for the exchange-core mix."""
    rng = random.Random(seed)
    shadow = ShadowBook()
    next_id = 1

    def new_order_price(is_buy: bool) -> int:
        offset = rng.randint(1, half_range)
        return MID_PRICE - offset if is_buy else MID_PRICE + offset

    prefill: list[Operation] = []
    for _ in range(resting):
        is_buy = rng.random() < 0.5
        price, quantity = new_order_price(is_buy), rng.randint(1, 10)
        prefill.append((GTC, next_id, rng.randrange(users), is_buy, price, quantity))
        shadow.add(next_id, is_buy, price, quantity)
        next_id += 1
    stream: list[Operation] = []
    live_samples = level_samples = 0
    for step in range(commands):
        draw = rng.random()
        user = rng.randrange(users)
        if draw < 0.09 or not shadow.live:
            is_buy = rng.random() < 0.5
            price, quantity = new_order_price(is_buy), rng.randint(1, 10)
            stream.append((GTC, next_id, user, is_buy, price, quantity))
            shadow.add(next_id, is_buy, price, quantity)
            next_id += 1
        elif draw < 0.12:
            is_buy = rng.random() < 0.5
            best = shadow.best(not is_buy)
            if best is None:
                best = MID_PRICE
            price = best + 3 if is_buy else best - 3
            # About one resting order per IOC keeps the book near ``resting`` orders.
            quantity = rng.randint(1, 10) if len(shadow.live) <= resting else rng.randint(8, 30)
            stream.append((IOC, next_id, user, is_buy, price, quantity))
            shadow.take(is_buy, price, quantity)
            next_id += 1
        elif draw < 0.18:
            order_id = shadow.live[rng.randrange(len(shadow.live))]
            is_buy, price, remaining = shadow.remove(order_id)
            stream.append((CANCEL, order_id, -1, is_buy, price, remaining))
        else:
            order_id = shadow.live[rng.randrange(len(shadow.live))]
            is_buy, old_price, remaining = shadow.remove(order_id)
            price = old_price
            while price == old_price:
                price = new_order_price(is_buy)
            stream.append((MOVE, order_id, -1, is_buy, price, remaining))
            shadow.add(order_id, is_buy, price, remaining)
        if step % 100 == 0:
            live_samples += len(shadow.live)
            level_samples += len(shadow.prices[0]) + len(shadow.prices[1])
    samples = max(1, (commands + 99) // 100)
    shape = {
        "average_resting_orders": live_samples / samples,
        "average_price_levels": level_samples / samples,
        "final_resting_orders": len(shadow.live),
        "final_resting_volume": sum(order[2] for order in shadow.orders.values()),
    }
    return prefill, stream, shape


# ----------------------------------------------------------------------------- drivers


def owner_map(prefill: list[Operation], stream: list[Operation]) -> dict[int, int]:
    return {op[1]: op[2] for op in (*prefill, *stream) if op[0] in (GTC, IOC)}


class OursDriver:
    name = "paperex"

    def __init__(self, prefill: list[Operation], stream: list[Operation], users: int) -> None:
        owners = owner_map(prefill, stream)
        self.users = users
        self.prefill = [self.command(op, owners, index) for index, op in enumerate(prefill)]
        self.stream = [self.command(op, owners, index) for index, op in enumerate(stream)]

    @staticmethod
    def command(op: Operation, owners: dict[int, int], index: int) -> Any:
        kind, order_id, _, is_buy, price, quantity = op
        user = owners[order_id]
        if kind in (GTC, IOC):
            return PlaceOrder(
                timestamp=index,
                user_id=user,
                symbol=SYMBOL,
                side=Side.BUY if is_buy else Side.SELL,
                order_type=OrderType.LIMIT,
                time_in_force=TimeInForce.GTC if kind == GTC else TimeInForce.IOC,
                quantity=quantity,
                price=price,
                self_trade_prevention=SelfTradePrevention.NONE,
            )
        if kind == CANCEL:
            return CancelOrder(timestamp=index, user_id=user, symbol=SYMBOL, order_id=order_id)
        return AmendOrder(
            timestamp=index, user_id=user, symbol=SYMBOL, order_id=order_id, new_price=price
        )

    def fresh(self) -> Callable[[Any], Any]:
        instrument = Instrument(SYMBOL, "BASE", "QUOTE", Decimal(1), Decimal(1))
        spec = MarketSpec(
            instrument,
            maker_fee_rate=Decimal("0.001"),
            taker_fee_rate=Decimal("0.002"),
            default_self_trade_prevention=SelfTradePrevention.NONE,
        )
        engine = MatchingEngine(assets=[Asset("BASE", 0), Asset("QUOTE", 0)], markets=[spec])
        for user in range(self.users):
            for asset in ("BASE", "QUOTE"):
                engine.process(Deposit(timestamp=0, user_id=user, asset=asset, amount=10**15))
        for command in self.prefill:
            engine.process(command)
        self.engine = engine
        return engine.process

    def final_state(self) -> tuple[int, int]:
        bids, asks = self.engine.depth(SYMBOL, limit=10**9)
        orders = len(self.engine.open_orders())
        return orders, sum(quantity for _, quantity in bids + asks)


class LimitOrderBookDriver:
    name = "limit-order-book"

    def __init__(self, prefill: list[Operation], stream: list[Operation], users: int) -> None:
        from limit_order_book import LimitOrderBook

        self.book_class = LimitOrderBook
        self.prefill = prefill
        self.stream = stream

    def fresh(self) -> Callable[[Operation], None]:
        book = self.book_class()
        self.book = book
        limit, cancel, has = book.limit, book.cancel, book.has

        def step(op: Operation) -> None:
            kind, order_id, _, is_buy, price, quantity = op
            if kind == MOVE:
                cancel(order_id)
                limit(is_buy, order_id, quantity, price)
            elif kind == GTC:
                limit(is_buy, order_id, quantity, price)
            elif kind == CANCEL:
                cancel(order_id)
            else:
                limit(is_buy, order_id, quantity, price)
                if has(order_id):
                    cancel(order_id)

        for op in self.prefill:
            step(op)
        return step

    def final_state(self) -> tuple[int, int]:
        return self.book.count(), self.book.volume()


class PyOrderBookDriver:
    name = "pyorderbook"

    def __init__(self, prefill: list[Operation], stream: list[Operation], users: int) -> None:
        self.prefill = prefill
        self.stream = stream

    def fresh(self) -> Callable[[Any], None]:
        import pyorderbook

        book = pyorderbook.Book()
        self.book = book
        bid, ask = pyorderbook.Side.BID, pyorderbook.Side.ASK
        live: dict[int, Any] = {}

        def prepare(op: Operation) -> tuple[int, int, Any]:
            kind, order_id, _, is_buy, price, quantity = op
            if kind == CANCEL:
                return kind, order_id, None
            return (
                kind,
                order_id,
                pyorderbook.Order(bid if is_buy else ask, SYMBOL, price, quantity),
            )

        match, cancel, order_map = book.match, book.cancel, book.order_map

        def step(prepared: tuple[int, int, Any]) -> None:
            kind, order_id, order = prepared
            if kind == MOVE:
                cancel(live[order_id])
                live[order_id] = order
                match(order)
            elif kind == GTC:
                live[order_id] = order
                match(order)
            elif kind == CANCEL:
                cancel(live.pop(order_id))
            else:
                match(order)
                if order.quantity and order.id in order_map:
                    cancel(order)

        for op in self.prefill:
            step(prepare(op))
        # Orders are this library's commands: build them before the clock starts, like ours.
        self.prepared_stream = [prepare(op) for op in self.stream]
        return step

    def final_state(self) -> tuple[int, int]:
        orders = self.book.order_map.values()
        return len(orders), sum(order.quantity for order in orders)


# ----------------------------------------------------------------------------- measuring


def throughput(step: Callable[[Any], Any], commands: list[Any]) -> float:
    gc.collect()
    started = time.perf_counter_ns()
    for command in commands:
        step(command)
    elapsed = time.perf_counter_ns() - started
    return len(commands) / (elapsed / 1e9)


def latencies(step: Callable[[Any], Any], commands: list[Any]) -> dict[str, float]:
    clock = time.perf_counter_ns
    samples = [0] * len(commands)
    gc.collect()
    for index, command in enumerate(commands):
        started = clock()
        step(command)
        samples[index] = clock() - started
    samples.sort()

    def percentile(fraction: float) -> float:
        return samples[min(len(samples) - 1, int(len(samples) * fraction))] / 1000

    return {"p50_us": percentile(0.50), "p99_us": percentile(0.99), "p99_9_us": percentile(0.999)}


def commands_for(driver: Any, stream: list[Operation]) -> list[Any]:
    if isinstance(driver, OursDriver):
        return driver.stream
    if isinstance(driver, PyOrderBookDriver):
        return driver.prepared_stream
    return stream


def measure_all(
    drivers: list[Any], stream: list[Operation], rounds: int
) -> dict[str, dict[str, Any]]:
    """Median throughput over ``rounds`` interleaved rounds (the machine may be shared), then
    one latency pass per engine; every pass starts from a freshly prefilled book."""
    rates: dict[str, list[float]] = {driver.name: [] for driver in drivers}
    for _ in range(rounds):
        for driver in drivers:
            step = driver.fresh()
            rates[driver.name].append(throughput(step, commands_for(driver, stream)))
    results: dict[str, dict[str, Any]] = {}
    for driver in drivers:
        step = driver.fresh()
        result: dict[str, Any] = {
            "commands_per_second": statistics.median(rates[driver.name]),
            "best_commands_per_second": max(rates[driver.name]),
            **latencies(step, commands_for(driver, stream)),
        }
        result["final_orders"], result["final_volume"] = driver.final_state()
        results[driver.name] = result
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--resting", type=int, default=1_000)
    parser.add_argument("--half-range", type=int, default=820, help="ticks each side of mid")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (median)")
    arguments = parser.parse_args()

    prefill, stream, shape = generate(
        arguments.seed, arguments.commands, arguments.resting, arguments.half_range, arguments.users
    )
    drivers = [
        OursDriver(prefill, stream, arguments.users),
        LimitOrderBookDriver(prefill, stream, arguments.users),
        PyOrderBookDriver(prefill, stream, arguments.users),
    ]
    results = measure_all(drivers, stream, arguments.rounds)

    expected = (shape["final_resting_orders"], shape["final_resting_volume"])
    print(f"engine: {ENGINE_BUILD.describe()}")
    print(
        f"{arguments.commands:,} commands, seed {arguments.seed}: "
        f"{shape['average_resting_orders']:.0f} resting orders over "
        f"{shape['average_price_levels']:.0f} price levels on average"
    )
    header = (
        f"{'engine':<18}{'commands/s':>12}{'best/s':>12}{'p50 µs':>9}{'p99 µs':>9}"
        f"{'p99.9 µs':>10}  end state"
    )
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        state_ok = (result["final_orders"], result["final_volume"]) == expected
        print(
            f"{name:<18}{result['commands_per_second']:>12,.0f}"
            f"{result['best_commands_per_second']:>12,.0f}{result['p50_us']:>9.2f}"
            f"{result['p99_us']:>9.2f}{result['p99_9_us']:>10.2f}  "
            f"{'same' if state_ok else 'DIFFERENT'} ({result['final_orders']} orders)"
        )
    ours = results["paperex"]["commands_per_second"]
    print(
        json.dumps(
            {
                "bench": "engine",
                "engine_compiled": ENGINE_BUILD.compiled,
                "commands": arguments.commands,
                "seed": arguments.seed,
                **{key: round(value, 1) for key, value in shape.items()},
                "results": {
                    name: {key: round(value, 3) for key, value in result.items()}
                    for name, result in results.items()
                },
                "ratio_vs_limit_order_book": round(
                    ours / results["limit-order-book"]["commands_per_second"], 3
                ),
                "ratio_vs_pyorderbook": round(
                    ours / results["pyorderbook"]["commands_per_second"], 3
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
