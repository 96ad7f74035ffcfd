from __future__ import annotations

from decimal import Decimal

import pytest

from paperex.domain import (
    Asset,
    Instrument,
    LedgerBucket,
    LedgerReason,
    MarketSpec,
    RejectReason,
    Side,
)
from paperex.domain.commands import Deposit, PlaceOrder, ResetAccount, Withdraw
from paperex.domain.events import (
    BalanceChanged,
    LedgerEntryRecorded,
    OrderCanceled,
    OrderFilled,
    TransferRejected,
)
from paperex.engine import MatchingEngine
from tests.support.engine import (
    ALICE,
    BOB,
    FEE_ACCOUNT,
    SYMBOL,
    Recorder,
    free_and_locked,
    make_engine,
    of_type,
    only,
    place,
)

BUY, SELL = Side.BUY, Side.SELL


def test_fees_are_charged_on_what_each_side_receives_and_rounded_up() -> None:
    engine = make_engine(maker_fee="0.001", taker_fee="0.002")
    place(engine, ALICE, SELL, 1_001, 10)  # maker, receives 10_010 USDT
    events = place(engine, BOB, BUY, 1_001, 10)  # taker, receives 10 BTC
    taker, maker = of_type(events, OrderFilled)
    assert (taker.fee, taker.fee_asset) == (1, "BTC")  # 10 * 0.002 = 0.02, rounded up
    assert (maker.fee, maker.fee_asset) == (11, "USDT")  # 10_010 * 0.001 = 10.01, up
    assert free_and_locked(engine, BOB, "BTC") == (1_000_000 + 10 - 1, 0)
    assert free_and_locked(engine, ALICE, "USDT") == (1_000_000 + 10_010 - 11, 0)
    assert free_and_locked(engine, FEE_ACCOUNT, "BTC") == (1, 0)
    assert free_and_locked(engine, FEE_ACCOUNT, "USDT") == (11, 0)


def test_a_trade_is_recorded_as_double_entry_movements() -> None:
    engine = make_engine(taker_fee="0.5")
    place(engine, ALICE, SELL, 10, 2)
    events = place(engine, BOB, BUY, 12, 2)
    entries = [
        (e.asset, e.amount, e.from_user_id, e.from_bucket, e.to_user_id, e.to_bucket, e.reason)
        for e in of_type(events, LedgerEntryRecorded)
    ]
    free, locked = LedgerBucket.FREE, LedgerBucket.LOCKED
    assert entries == [
        ("USDT", 24, BOB, free, BOB, locked, LedgerReason.LOCK),
        ("USDT", 20, BOB, locked, ALICE, free, LedgerReason.TRADE),
        ("BTC", 2, ALICE, locked, BOB, free, LedgerReason.TRADE),
        ("BTC", 1, BOB, free, FEE_ACCOUNT, free, LedgerReason.FEE),
        ("USDT", 4, BOB, locked, BOB, free, LedgerReason.RELEASE),
    ]
    changed = {(e.user_id, e.asset): (e.free, e.locked) for e in of_type(events, BalanceChanged)}
    assert changed[(BOB, "USDT")] == (1_000_000 - 20, 0)
    assert changed[(FEE_ACCOUNT, "BTC")] == (1, 0)


def test_the_ledger_rebuilds_every_balance() -> None:
    recorder = Recorder(make_engine(funded=(), maker_fee="0.003", taker_fee="0.007"))
    for user_id in (ALICE, BOB):
        for asset in ("BTC", "USDT"):
            recorder.process(Deposit(timestamp=0, user_id=user_id, asset=asset, amount=50_000))
    for price, quantity in ((101, 7), (102, 9), (99, 4)):
        recorder.process(
            PlaceOrder(
                timestamp=1, user_id=ALICE, symbol=SYMBOL, side=SELL, price=price, quantity=quantity
            )
        )
    recorder.process(
        PlaceOrder(timestamp=2, user_id=BOB, symbol=SYMBOL, side=BUY, price=102, quantity=15)
    )
    recorder.process(Withdraw(timestamp=3, user_id=ALICE, asset="USDT", amount=1_000))
    actual = {(b.user_id, b.asset): (b.free, b.locked) for b in recorder.engine.balances()}
    assert recorder.ledger_balances() == actual
    assert recorder.last_reported_balances() == actual


def test_deposit_and_withdraw_are_checked() -> None:
    engine = make_engine(funded=())
    unknown = engine.process(Deposit(timestamp=0, user_id=ALICE, asset="DOGE", amount=1))
    assert only(unknown, TransferRejected).reason is RejectReason.UNKNOWN_ASSET
    negative = engine.process(Deposit(timestamp=0, user_id=ALICE, asset="BTC", amount=0))
    assert only(negative, TransferRejected).reason is RejectReason.INVALID_PARAMETERS
    engine.process(Deposit(timestamp=0, user_id=ALICE, asset="BTC", amount=5))
    too_much = engine.process(Withdraw(timestamp=0, user_id=ALICE, asset="BTC", amount=6))
    assert only(too_much, TransferRejected).reason is RejectReason.INSUFFICIENT_BALANCE
    engine.process(Withdraw(timestamp=0, user_id=ALICE, asset="BTC", amount=5))
    assert free_and_locked(engine, ALICE, "BTC") == (0, 0)


def test_locked_funds_cannot_be_withdrawn() -> None:
    engine = make_engine(amount=100)
    place(engine, ALICE, SELL, 10, 60)
    events = engine.process(Withdraw(timestamp=0, user_id=ALICE, asset="BTC", amount=50))
    assert only(events, TransferRejected).reason is RejectReason.INSUFFICIENT_BALANCE


def test_reset_cancels_orders_and_sets_fresh_balances() -> None:
    engine = make_engine()
    place(engine, ALICE, SELL, 10, 60)
    place(engine, ALICE, BUY, 5, 60)
    events = engine.process(
        ResetAccount(timestamp=9, user_id=ALICE, balances=(("USDT", 10_000), ("BTC", 0)))
    )
    assert len(of_type(events, OrderCanceled)) == 2
    assert engine.open_orders(ALICE) == []
    assert free_and_locked(engine, ALICE, "USDT") == (10_000, 0)
    assert free_and_locked(engine, ALICE, "BTC") == (0, 0)
    assert free_and_locked(engine, BOB, "USDT") == (1_000_000, 0)


def test_real_scales_keep_price_times_quantity_exact() -> None:
    # BTCUSDT as on Binance: tick 0.01 USDT, step 0.00001 BTC; USDT kept to 8 decimals.
    btc, usdt = Asset("BTC", 8), Asset("USDT", 8)
    instrument = Instrument(
        SYMBOL, "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal("5")
    )
    engine = MatchingEngine(
        assets=[btc, usdt],
        markets=[MarketSpec(instrument, maker_fee_rate=Decimal("0.001"))],
    )
    engine.process(
        Deposit(timestamp=0, user_id=ALICE, asset="BTC", amount=btc.to_units(Decimal(1)))
    )
    engine.process(
        Deposit(timestamp=0, user_id=BOB, asset="USDT", amount=usdt.to_units(Decimal(100_000)))
    )
    price = instrument.price_to_ticks(Decimal("54718.13"))
    quantity = instrument.quantity_to_lots(Decimal("0.00123"))
    engine.process(
        PlaceOrder(
            timestamp=1, user_id=ALICE, symbol=SYMBOL, side=SELL, price=price, quantity=quantity
        )
    )
    engine.process(
        PlaceOrder(
            timestamp=1, user_id=BOB, symbol=SYMBOL, side=BUY, price=price, quantity=quantity
        )
    )
    notional = Decimal("54718.13") * Decimal("0.00123")  # 67.3033 exactly
    fee = (notional * Decimal("0.001")).quantize(Decimal("0.00000001"), rounding="ROUND_CEILING")
    alice_usdt = usdt.from_units(engine.balance(ALICE, "USDT").free)
    assert alice_usdt == notional - fee
    assert btc.from_units(engine.balance(BOB, "BTC").free) == Decimal("0.00123")
    assert usdt.from_units(engine.balance(BOB, "USDT").free) == Decimal(100_000) - notional


def test_an_asset_too_coarse_for_the_market_is_refused() -> None:
    instrument = Instrument(SYMBOL, "BTC", "USDT", Decimal("0.01"), Decimal("0.001"))
    with pytest.raises(ValueError, match="more decimals"):
        MatchingEngine(assets=[Asset("BTC", 8), Asset("USDT", 2)], markets=[MarketSpec(instrument)])
