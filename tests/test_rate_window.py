"""The arithmetic of rate limits (paperex.support.rate_window): parsing, the sliding window,
the wait it tells, and counts shared with other processes."""

from __future__ import annotations

import pytest

from paperex.support.rate_window import Rate, SlidingWindowCounts, parse_rate


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("100/10s", Rate(100, 10)),
        ("6000/1m", Rate(6000, 60)),
        ("20/h", Rate(20, 3600)),
        (" 5 / 2d ", Rate(5, 172_800)),
        ("off", None),
        ("0", None),
        ("", None),
    ],
)
def test_rates_are_written_count_per_period(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["100", "100/10x", "-1/1m", "0/1m", "1/0s", "many/1m"])
def test_a_malformed_rate_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match=r"COUNT/PERIOD|at least 1"):
        parse_rate(text)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


RATE = Rate(10, 60)


def test_events_are_allowed_up_to_the_limit_and_the_refused_one_is_not_counted() -> None:
    clock = Clock(6000.0)  # the start of a window
    counts = SlidingWindowCounts(clock)
    assert [counts.hit("orders", "7", RATE) for _ in range(10)] == [0] * 10
    assert counts.hit("orders", "7", RATE) > 0
    assert counts.hit("orders", "8", RATE) == 0  # another key has its own count
    assert counts.hit("logins", "7", RATE) == 0  # and another limit
    clock.now += 120  # two windows later nothing counts any more
    assert counts.hit("orders", "7", RATE) == 0


def test_the_previous_window_weighs_by_the_share_the_sliding_window_still_covers() -> None:
    clock = Clock(6000.0 + 50)  # 50 s into window 100
    counts = SlidingWindowCounts(clock)
    for _ in range(10):
        counts.hit("orders", "7", RATE)
    clock.now = 6060.0 + 30  # halfway through the next window: 10 * 0.5 = 5 still count
    assert [counts.hit("orders", "7", RATE) for _ in range(5)] == [0] * 5
    wait = counts.hit("orders", "7", RATE)
    assert wait > 0
    # 10 * (1 - f) + 5 <= 9 from f = 0.6, i.e. 6 s later
    assert wait == 6
    clock.now += 5.9
    assert counts.hit("orders", "7", RATE) > 0
    clock.now += 0.2
    assert counts.hit("orders", "7", RATE) == 0


def test_a_full_window_waits_until_the_next_one_has_weighed_it_down() -> None:
    clock = Clock(6000.0 + 10)
    counts = SlidingWindowCounts(clock)
    for _ in range(10):
        counts.hit("orders", "7", RATE)
    # In the next window 10 * (1 - f) <= 9 from f = 0.1: 50 s to its start, then 6 s.
    assert counts.wait("orders", "7", RATE) == 56
    clock.now = 6060.0 + 6.1
    assert counts.wait("orders", "7", RATE) == 0


def test_events_that_happened_count_whatever_the_limit_and_wait_counts_nothing() -> None:
    counts = SlidingWindowCounts(Clock(6000.0))
    for _ in range(12):
        counts.add("logins", "alice", RATE)
    assert counts.wait("logins", "alice", RATE) > 0
    assert counts.wait("logins", "bob", RATE) == 0
    assert counts.wait("logins", "bob", RATE) == 0  # waiting counted nothing


def test_counts_of_other_processes_count_too() -> None:
    counts = SlidingWindowCounts(Clock(6000.0))
    for _ in range(3):
        counts.hit("orders", "7", RATE)
    unshared = counts.take_unshared()
    assert unshared == {("orders", "7", 100): (3, 60)}
    assert counts.take_unshared() == {}  # taken once
    counts.hit("orders", "7", RATE)  # one more of ours, not yet shared
    assert counts.own_shared(("orders", "7", 100)) == 3
    counts.set_others(("orders", "7", 100), total=9, own_shared=3)  # 6 are others'
    assert counts.hit("orders", "7", RATE) > 0  # 4 ours + 6 theirs = 10
    assert counts.take_unshared() == {("orders", "7", 100): (1, 60)}


def test_the_windows_worth_learning_are_those_that_still_count() -> None:
    clock = Clock(6000.0)
    counts = SlidingWindowCounts(clock)
    counts.hit("orders", "a", RATE)
    clock.now += 60
    counts.hit("orders", "b", RATE)
    assert sorted(counts.recent_windows()) == [("orders", "a", 100), ("orders", "b", 101)]
    clock.now += 60
    assert counts.recent_windows() == [("orders", "b", 101)]


def test_old_windows_are_forgotten() -> None:
    clock = Clock(6000.0)
    counts = SlidingWindowCounts(clock)
    counts.hit("orders", "old", RATE)
    clock.now += 180
    counts.hit("orders", "new", RATE)
    assert counts.take_unshared() == {("orders", "new", 103): (1, 60)}


def test_weighted_events_count_in_their_fixed_window_only() -> None:
    clock = Clock(6000.0 + 59)
    counts = SlidingWindowCounts(clock)
    minute = Rate(6000, 60)
    counts.add("weight", "10.0.0.1", minute, amount=20)
    counts.add("weight", "10.0.0.1", minute, amount=5)
    weight = [("weight", minute)]
    assert counts.current_counts("10.0.0.1", weight) == [25]
    assert counts.current_counts("10.0.0.2", weight) == [0]
    clock.now += 1  # the next minute starts from nothing
    assert counts.current_counts("10.0.0.1", weight) == [0]
    assert counts.wait("weight", "10.0.0.1", Rate(25, 60)) > 0  # the sliding view still sees 25


def test_adding_within_a_limit_counts_until_it_is_reached_and_says_the_count() -> None:
    counts = SlidingWindowCounts(Clock(6000.0))
    rate = Rate(10, 60)
    assert [counts.add_within("weight", "u", rate, 4) for _ in range(3)] == [4, 8, 12]
    # past the limit (12 > 9 may already be counted): nothing more counts
    assert counts.add_within("weight", "u", rate, 4) == 12
    assert counts.add_within("weight", "v", rate, 4) == 4  # another key has its own count
    # with a limit of 0 (off) it is always counted
    assert counts.add_within("weight", "u", Rate(0, 60), 4) == 16


def test_several_limits_are_counted_and_read_in_one_go() -> None:
    clock = Clock(6000.0 + 9)
    counts = SlidingWindowCounts(clock)
    ten_seconds, day = Rate(100, 10), Rate(200_000, 86_400)
    limits = [("orders_10s", ten_seconds), ("orders_1d", day)]
    for _ in range(3):
        counts.add_each("7", limits)
    assert counts.current_counts("7", limits) == [3, 3]
    assert counts.current_counts("8", limits) == [0, 0]
    clock.now += 1  # a new 10 s window, the same day
    counts.add_each("7", limits)
    assert counts.current_counts("7", limits) == [1, 4]
    assert counts.current_counts("7", limits[1:]) == [4]
