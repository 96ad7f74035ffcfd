"""Deposits, withdrawals and account resets: what moves on the ledger, and what is refused whole."""

from __future__ import annotations

from paperex.domain import RejectReason, Side
from paperex.domain.commands import Deposit, ResetAccount, Withdraw
from paperex.domain.events import BalanceChanged, Event, LedgerEntryRecorded, TransferRejected
from paperex.domain.ledger import LedgerReason
from paperex.domain.records import BalanceRecord
from paperex.engine import MatchingEngine
from tests.support.engine import ALICE, BOB, make_engine, of_type, place


def movements(events: list[Event]) -> list[tuple[str, int, int | None, int | None, str]]:
    """(asset, amount, from user, to user, reason) of each ledger entry."""
    return [
        (entry.asset, entry.amount, entry.from_user_id, entry.to_user_id, entry.reason)
        for entry in of_type(events, LedgerEntryRecorded)
    ]


def rejection(asset: str, amount: int, reason: RejectReason, message: str) -> TransferRejected:
    return TransferRejected(
        timestamp=7, user_id=ALICE, asset=asset, amount=amount, reason=reason, message=message
    )


def engine_with_open_orders() -> MatchingEngine:
    engine = make_engine(funded=(ALICE, BOB), amount=1_000)
    place(engine, ALICE, Side.SELL, 10, 60)
    place(engine, ALICE, Side.BUY, 5, 20)
    return engine


def test_a_reset_withdraws_every_free_balance_of_its_user_and_deposits_the_new_ones() -> None:
    engine = engine_with_open_orders()
    events = engine.process(
        ResetAccount(timestamp=7, user_id=ALICE, balances=(("USDT", 300), ("BTC", 0)))
    )
    withdrawn = [m for m in movements(events) if m[4] is LedgerReason.WITHDRAWAL]
    deposited = [m for m in movements(events) if m[4] is LedgerReason.DEPOSIT]
    assert sorted(withdrawn) == [
        ("BTC", 1_000, ALICE, None, LedgerReason.WITHDRAWAL),
        ("USDT", 1_000, ALICE, None, LedgerReason.WITHDRAWAL),
    ]
    assert deposited == [("USDT", 300, None, ALICE, LedgerReason.DEPOSIT)]
    assert {(b.asset, b.free, b.locked) for b in of_type(events, BalanceChanged)} == {
        ("BTC", 0, 0),
        ("USDT", 300, 0),
    }
    assert engine.balance(BOB, "USDT").free == 1_000


def test_a_reset_naming_an_unknown_asset_or_a_negative_amount_changes_nothing() -> None:
    for balances, refused in [
        (
            (("USDT", 300), ("DOGE", 5)),
            rejection("DOGE", 5, RejectReason.UNKNOWN_ASSET, "Unknown asset."),
        ),
        (
            (("USDT", 300), ("BTC", -1)),
            rejection("BTC", -1, RejectReason.INVALID_PARAMETERS, "Amount is negative."),
        ),
    ]:
        engine = engine_with_open_orders()
        before = engine.snapshot()
        events = engine.process(ResetAccount(timestamp=7, user_id=ALICE, balances=balances))
        assert events == [refused]
        assert engine.snapshot() == before


def test_deposits_and_withdrawals_are_refused_with_the_amount_and_reason() -> None:
    engine = make_engine(funded=(ALICE,), amount=50)
    refused = [
        engine.process(Deposit(timestamp=7, user_id=ALICE, asset="DOGE", amount=3)),
        engine.process(Deposit(timestamp=7, user_id=ALICE, asset="BTC", amount=0)),
        engine.process(Withdraw(timestamp=7, user_id=ALICE, asset="BTC", amount=-2)),
        engine.process(Withdraw(timestamp=7, user_id=ALICE, asset="DOGE", amount=1)),
        engine.process(Withdraw(timestamp=7, user_id=ALICE, asset="BTC", amount=51)),
    ]
    assert refused == [
        [rejection("DOGE", 3, RejectReason.UNKNOWN_ASSET, "Unknown asset.")],
        [rejection("BTC", 0, RejectReason.INVALID_PARAMETERS, "Amount must be positive.")],
        [rejection("BTC", -2, RejectReason.INVALID_PARAMETERS, "Amount must be positive.")],
        [rejection("DOGE", 1, RejectReason.UNKNOWN_ASSET, "Unknown asset.")],
        [
            rejection(
                "BTC",
                51,
                RejectReason.INSUFFICIENT_BALANCE,
                "Account has insufficient balance for requested action.",
            )
        ],
    ]


def test_the_whole_free_balance_can_be_withdrawn() -> None:
    engine = make_engine(funded=(ALICE,), amount=50)
    events = engine.process(Withdraw(timestamp=7, user_id=ALICE, asset="BTC", amount=50))
    assert movements(events) == [("BTC", 50, ALICE, None, LedgerReason.WITHDRAWAL)]
    assert engine.balance(ALICE, "BTC").free == 0


def test_a_balance_never_funded_reads_as_zero_for_that_user_and_asset() -> None:
    engine = make_engine(funded=())
    assert engine.balance(BOB, "BTC") == BalanceRecord(user_id=BOB, asset="BTC", free=0, locked=0)
