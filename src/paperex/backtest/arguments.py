"""What ``paperex backtest`` reads from its command line beyond argparse's options: a strategy's
own parameters (``--fast 50``), a sweep grid and the time range."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime


class ArgumentError(ValueError):
    """A command-line value that cannot be used; one line."""


def strategy_arguments(words: Sequence[str]) -> dict[str, str]:
    """``--name value`` and ``--name=value`` pairs as {name: value}; dashes in a name become
    underscores (``--lower-band 25`` sets ``lower_band``)."""
    found: dict[str, str] = {}
    position = 0
    while position < len(words):
        word = words[position]
        if not word.startswith("--") or word == "--":
            raise ArgumentError(f"unexpected argument {word!r}")
        name, equals, value = word[2:].partition("=")
        if not equals:
            if position + 1 >= len(words) or words[position + 1].startswith("--"):
                raise ArgumentError(f"--{name} needs a value")
            position += 1
            value = words[position]
        found[name.replace("-", "_")] = value
        position += 1
    return found


def sweep_grid(spec: str) -> dict[str, list[int | float]]:
    """``fast=10:100:10,slow=50:300:25`` as {name: values}: ``start:stop:step`` runs from start
    to stop inclusive; a single number is one value. Integers stay integers."""
    grid: dict[str, list[int | float]] = {}
    for part in spec.split(","):
        name, equals, values = part.strip().partition("=")
        if not equals or not name:
            raise ArgumentError(f"sweep: {part!r} is not name=start:stop:step")
        numbers = [_number(text, part) for text in values.split(":")]
        if len(numbers) == 1:
            grid[name.replace("-", "_")] = numbers
            continue
        if len(numbers) != 3 or numbers[2] <= 0 or numbers[1] < numbers[0]:
            raise ArgumentError(
                f"sweep: {part!r} needs start:stop:step with start <= stop, step > 0"
            )
        start, stop, step = numbers
        count = int((stop - start) / step + 1e-9) + 1
        grid[name.replace("-", "_")] = [start + step * n for n in range(count)]
    return grid


def _number(text: str, part: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ArgumentError(f"sweep: {text!r} in {part!r} is not a number") from None


def utc_milliseconds(text: str) -> int:
    """``YYYY-MM-DD`` or an ISO 8601 date and time (naive means UTC) as epoch milliseconds."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ArgumentError(f"not a date or an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
