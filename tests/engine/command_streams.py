"""Random but seeded command streams, run through whichever engine build this process loads.

Run as ``python -m tests.engine.command_streams --seed 7 --commands 2000``: the first output line
names the build (``paperex.engine.BUILD``), then one line per command with its events as JSON,
then the final snapshot. Two processes with different ``PAPEREX_ENGINE`` must print the same
lines after the first (``test_compiled_build_parity``).

Each stream mixes every command the engine takes on one of three markets: an exchange with
fees, self-trade prevention and a minimum notional; a paper market fed reference books and
trades; an exchange with a price band that waits for its reference. Halfway through, the
engine is rebuilt from its snapshot and goes on, so restore is compared too.
"""

from __future__ import annotations

import argparse
import random
import sys
from decimal import Decimal

import msgspec

from paperex.domain import (
    Instrument,
    MarketMode,
    OrderType,
    PercentPriceBySide,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.domain.commands import (
    AmendOrder,
    CancelAllOrders,
    CancelOrder,
    Command,
    Deposit,
    PlaceOrder,
    RecordReferenceTrade,
    ResetAccount,
    UpdateReferenceBook,
    Withdraw,
)
from paperex.domain.events import OrderAccepted
from paperex.engine import BUILD, MatchingEngine, place_order_from_decimals
from tests.support.engine import ASSETS, FEE_ACCOUNT, SYMBOL, make_engine

USERS = (1, 2, 3, 4)
MARKETS = {
    "exchange": {"maker_fee": "0.001", "taker_fee": "0.002", "min_notional": "5"},
    "paper": {"mode": MarketMode.PAPER, "taker_fee": "0.001"},
    "banded": {
        "mode": MarketMode.PAPER,
        "band": PercentPriceBySide(
            bid_multiplier_up=Decimal("1.05"),
            bid_multiplier_down=Decimal("0.8"),
            ask_multiplier_up=Decimal("1.2"),
            ask_multiplier_down=Decimal("0.95"),
        ),
        "requires_reference": True,
    },
}


class StreamWriter:
    """Draws the commands of one stream from its own ``random.Random``."""

    def __init__(self, rng: random.Random, instrument: Instrument) -> None:
        self.rng = rng
        self.instrument = instrument
        self.clock = 0
        self.owners: dict[int, int] = {}  # order id -> user id, of the open orders

    def now(self) -> int:
        self.clock += self.rng.randint(0, 3)
        return self.clock

    def price(self) -> int:
        return self.rng.randint(90, 110)

    def place(self) -> PlaceOrder | object:
        rng = self.rng
        order_type = rng.choice(list(OrderType))
        side = rng.choice(list(Side))
        fields: dict[str, object] = {
            "timestamp": self.now(),
            "user_id": rng.choice(USERS),
            "symbol": SYMBOL,
            "side": side,
            "order_type": order_type,
            "self_trade_prevention": rng.choice([None, *SelfTradePrevention]),
            "client_order_id": rng.choice([None, f"c{rng.randint(1, 40)}"]),
        }
        if order_type is OrderType.MARKET and side is Side.BUY and rng.random() < 0.4:
            fields["quote_amount"] = rng.randint(1, 800)
        else:
            fields["quantity"] = rng.randint(1, 15)
        if order_type in {
            OrderType.LIMIT,
            OrderType.LIMIT_MAKER,
            OrderType.STOP_LOSS_LIMIT,
            OrderType.TAKE_PROFIT_LIMIT,
        }:
            fields["price"] = self.price()
        if order_type in {OrderType.LIMIT, OrderType.STOP_LOSS_LIMIT, OrderType.TAKE_PROFIT_LIMIT}:
            fields["time_in_force"] = rng.choice(list(TimeInForce))
        if order_type.name.startswith(("STOP", "TAKE")):
            fields["stop_price"] = self.price()
        if rng.random() < 0.05:  # now and then a field the order type forbids
            fields["price"] = rng.choice([None, 0, self.price()])
        return PlaceOrder(**fields)  # type: ignore[arg-type]

    def decimal_place(self) -> object:
        """An order entered as decimals, sometimes off the grid (then the engine's rejection)."""
        return place_order_from_decimals(
            self.instrument,
            ASSETS[1],
            timestamp=self.now(),
            user_id=self.rng.choice(USERS),
            side=self.rng.choice(list(Side)),
            quantity=Decimal(self.rng.choice(["1", "2.5", "3"])),
            price=Decimal(self.rng.choice(["99", "100.5", "101"])),
        )

    def order_and_user(self) -> tuple[int, int]:
        """Mostly a known order and its owner (so amends and cancels go through), else any."""
        if self.owners and self.rng.random() < 0.85:
            order_id = self.rng.choice(list(self.owners))
            return order_id, self.owners[order_id]
        return self.rng.randint(1, 50), self.rng.choice(USERS)

    def reference_levels(self, above: bool) -> tuple[tuple[int, int], ...]:
        base = 101 if above else 99
        step = 1 if above else -1
        return tuple(
            (base + step * offset, self.rng.choice([0, 1, 5, 20]))
            for offset in self.rng.sample(range(6), self.rng.randint(0, 4))
        )

    def command(self) -> Command | object:
        rng = self.rng
        roll = rng.random()
        user = rng.choice(USERS)
        asset = rng.choice(["BTC", "USDT"])
        if roll < 0.45:
            return self.place()
        if roll < 0.50:
            return self.decimal_place()
        if roll < 0.60:
            by_client = rng.random() < 0.2
            order_id, owner = self.order_and_user()
            return CancelOrder(
                timestamp=self.now(),
                user_id=owner,
                symbol=SYMBOL,
                order_id=None if by_client else order_id,
                client_order_id=f"c{rng.randint(1, 40)}" if by_client else None,
            )
        if roll < 0.62:
            return CancelAllOrders(timestamp=self.now(), user_id=user, symbol=SYMBOL)
        if roll < 0.72:
            order_id, owner = self.order_and_user()
            return AmendOrder(
                timestamp=self.now(),
                user_id=owner,
                symbol=SYMBOL,
                order_id=order_id,
                new_quantity=rng.choice([None, rng.randint(1, 15)]),
                new_price=rng.choice([None, self.price()]),
            )
        if roll < 0.78:
            return Deposit(
                timestamp=self.now(), user_id=user, asset=asset, amount=rng.randint(1, 3000)
            )
        if roll < 0.81:
            return Withdraw(
                timestamp=self.now(), user_id=user, asset=asset, amount=rng.randint(1, 2000)
            )
        if roll < 0.82:
            balances = (("USDT", rng.randint(0, 5000)), ("BTC", rng.randint(0, 50)))
            return ResetAccount(timestamp=self.now(), user_id=user, balances=balances)
        if roll < 0.93:
            return UpdateReferenceBook(
                timestamp=self.now(),
                symbol=SYMBOL,
                bids=self.reference_levels(above=False),
                asks=self.reference_levels(above=True),
                is_snapshot=rng.random() < 0.2,
            )
        return RecordReferenceTrade(
            timestamp=self.now(),
            symbol=SYMBOL,
            price=self.price(),
            quantity=rng.randint(1, 10),
            aggressor=rng.choice(list(Side)),
        )


def stream_lines(market: str, seed: int, commands: int) -> list[bytes]:
    """The events of each command of one stream, then the final snapshot, as JSON lines."""
    engine = make_engine(funded=USERS, amount=20_000, **MARKETS[market])  # type: ignore[arg-type]
    writer = StreamWriter(random.Random(f"{market}-{seed}"), engine.market_specs[0].instrument)
    lines = []
    for index in range(commands):
        if index == commands // 2:
            snapshot = engine.snapshot()
            lines.append(msgspec.json.encode(snapshot))
            engine = MatchingEngine.restore(
                assets=ASSETS,
                markets=engine.market_specs,
                snapshot=snapshot,
                fee_account_id=FEE_ACCOUNT,
            )
        command = writer.command()
        events = engine.process(command) if isinstance(command, Command) else [command]
        accepted = {e.order_id: e.user_id for e in events if isinstance(e, OrderAccepted)}
        writer.owners = {
            order_id: user_id
            for order_id, user_id in (writer.owners | accepted).items()
            if engine.order(order_id) is not None
        }
        lines.append(msgspec.json.encode(events))
    engine.validate_internal_state()
    lines.append(msgspec.json.encode(engine.snapshot()))
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commands", type=int, default=2000)
    options = parser.parse_args(argv)
    out = sys.stdout.buffer
    out.write(f"engine: {BUILD.describe()}\n".encode())
    for market in MARKETS:
        for line in stream_lines(market, options.seed, options.commands):
            out.write(line + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
