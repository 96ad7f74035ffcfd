"""Strategies: classes with typed parameters that turn bars into entry and exit signals.

A strategy is a frozen dataclass subclassing ``Strategy``; its fields are its parameters, with
defaults. ``signals`` sees every bar at once but must only use, for the signal on a bar, what was
known at that bar's close (indicators are trailing, crosses compare a bar with the one before).
The same class drives a backtest and a live paper bot. Built-ins are registered by ``name``; a
user's strategy loads from ``path/to/file.py:ClassName``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from paperex.backtest import indicators
from paperex.backtest.bars import Bars, Floats
from paperex.backtest.execution import Booleans, Signals


class StrategyError(ValueError):
    """An unknown strategy or a bad parameter; one line."""


class BarData:
    """The bars a strategy reads, with their indicators computed once however often asked
    (a parameter sweep asks for the same averages many times)."""

    def __init__(self, bars: Bars) -> None:
        self.bars = bars
        self._computed: dict[tuple[Any, ...], Floats] = {}

    @property
    def close(self) -> Floats:
        return self.bars.close

    def sma(self, period: int) -> Floats:
        return self._once(("sma", period), lambda: indicators.sma(self.bars.close, period))

    def ema(self, period: int) -> Floats:
        return self._once(("ema", period), lambda: indicators.ema(self.bars.close, period))

    def rsi(self, period: int) -> Floats:
        return self._once(("rsi", period), lambda: indicators.rsi(self.bars.close, period))

    def _once(self, key: tuple[Any, ...], compute: Any) -> Floats:
        values = self._computed.get(key)
        if values is None:
            values = self._computed[key] = compute()
        return values


def crosses_above(line: Floats, other: Floats | float) -> Booleans:
    """Where ``line`` goes from below ``other`` on the previous bar to above it on this one
    (strictly both times; never where either is NaN)."""
    return _crossings(line, other, np.less, np.greater)


def crosses_below(line: Floats, other: Floats | float) -> Booleans:
    """Where ``line`` goes from above ``other`` to below it (see ``crosses_above``)."""
    return _crossings(line, other, np.greater, np.less)


def _crossings(line: Floats, other: Floats | float, before: np.ufunc, after: np.ufunc) -> Booleans:
    """Where ``before(line, other)`` held on the previous bar and ``after(line, other)`` holds
    on this one."""
    other_line = np.broadcast_to(np.asarray(other, dtype=np.float64), line.shape)
    crossed = np.zeros(line.shape, dtype=np.bool_)
    np.logical_and(
        before(line[:-1], other_line[:-1]), after(line[1:], other_line[1:]), out=crossed[1:]
    )
    return crossed


def crossing_signals(up: Booleans, down: Booleans) -> Signals:
    """Long on ``up``, out (or short, when allowed) on ``down``."""
    return Signals(up, down, short_entries=down, short_exits=up)


@dataclasses.dataclass(frozen=True)
class Strategy(ABC):
    """The base of every strategy; subclasses are frozen dataclasses (see the module)."""

    name: ClassVar[str]
    summary: ClassVar[str]

    def check(self) -> None:
        """Raises StrategyError when the parameters make no sense together (none here)."""
        return

    @property
    @abstractmethod
    def warmup(self) -> int:
        """How many bars come before the first possible signal."""

    @abstractmethod
    def signals(self, data: BarData) -> Signals:
        """The signals on every bar of ``data`` (see the module for what may be used)."""


def _positive(strategy: Strategy, *names: str) -> None:
    for name in names:
        if getattr(strategy, name) < 1:
            raise StrategyError(f"{strategy.name}: {name} must be at least 1")


@dataclasses.dataclass(frozen=True)
class _Crossover(Strategy):
    """Long when the fast average crosses above the slow one, out (or short) on the way back."""

    fast: int
    slow: int

    def check(self) -> None:
        _positive(self, "fast", "slow")
        if self.slow <= self.fast:
            raise StrategyError(f"{self.name}: slow ({self.slow}) must be above fast ({self.fast})")

    @property
    def warmup(self) -> int:
        return self.slow

    @abstractmethod
    def averages(self, data: BarData) -> tuple[Floats, Floats]:
        """The fast and the slow average."""

    def signals(self, data: BarData) -> Signals:
        fast, slow = self.averages(data)
        return crossing_signals(crosses_above(fast, slow), crosses_below(fast, slow))


@dataclasses.dataclass(frozen=True)
class SmaCross(_Crossover):
    name = "sma_cross"
    summary = "Buy when the fast simple average crosses above the slow one, sell on the way back."
    fast: int = 50
    slow: int = 200

    def averages(self, data: BarData) -> tuple[Floats, Floats]:
        return data.sma(self.fast), data.sma(self.slow)


@dataclasses.dataclass(frozen=True)
class EmaCross(_Crossover):
    name = "ema_cross"
    summary = "The same crossover on exponential averages."
    fast: int = 12
    slow: int = 26

    def averages(self, data: BarData) -> tuple[Floats, Floats]:
        return data.ema(self.fast), data.ema(self.slow)


@dataclasses.dataclass(frozen=True)
class RsiReversion(Strategy):
    name = "rsi_reversion"
    summary = "Buy when RSI climbs back above the lower level, sell when it falls below the upper."
    period: int = 14
    lower: float = 30.0
    upper: float = 70.0

    def check(self) -> None:
        _positive(self, "period")
        if not 0 < self.lower < self.upper < 100:
            raise StrategyError(f"{self.name}: need 0 < lower < upper < 100")

    @property
    def warmup(self) -> int:
        return self.period + 1

    def signals(self, data: BarData) -> Signals:
        rsi = data.rsi(self.period)
        return crossing_signals(crosses_above(rsi, self.lower), crosses_below(rsi, self.upper))


@dataclasses.dataclass(frozen=True)
class BuyAndHold(Strategy):
    name = "buy_and_hold"
    summary = "Buy on the first bar and hold."

    @property
    def warmup(self) -> int:
        return 0

    def signals(self, data: BarData) -> Signals:
        entries = np.zeros(len(data.bars), dtype=np.bool_)
        entries[:1] = True
        return Signals(entries, np.zeros_like(entries))


BUILT_IN: dict[str, type[Strategy]] = {
    strategy.name: strategy for strategy in (SmaCross, EmaCross, RsiReversion, BuyAndHold)
}


def strategy_class(reference: str) -> type[Strategy]:
    """A built-in strategy by name, or a user's from ``path/to/file.py:ClassName``."""
    if reference in BUILT_IN:
        return BUILT_IN[reference]
    path, _, class_name = reference.rpartition(":")
    if not path.endswith(".py") or not class_name:
        known = ", ".join(BUILT_IN)
        raise StrategyError(
            f"unknown strategy {reference!r}: use one of {known} or path/to/file.py:ClassName"
        )
    return _loaded(Path(path), class_name)


def _loaded(path: Path, class_name: str) -> type[Strategy]:
    if not path.is_file():
        raise StrategyError(f"no strategy file {path}")
    module_name = f"paperex_user_strategy_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise StrategyError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while defining
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's file: whatever it raises is reported in one line
        raise StrategyError(f"{path}: {type(error).__name__}: {error}") from None
    found = getattr(module, class_name, None)
    if not (isinstance(found, type) and issubclass(found, Strategy)):
        raise StrategyError(f"{path} has no Strategy subclass named {class_name}")
    if not dataclasses.is_dataclass(found):
        raise StrategyError(
            f"{path}: {class_name} must be a dataclass (its fields are its parameters)"
        )
    return found


def parameters(cls: type[Strategy]) -> dict[str, Any]:
    """The strategy's parameters and their defaults, in declaration order."""
    return {field.name: field.default for field in dataclasses.fields(cls)}


def require_parameters(cls: type[Strategy], names: Iterable[str]) -> None:
    """Raises StrategyError for the first of ``names`` that ``cls`` has no parameter of."""
    known = parameters(cls)
    for name in names:
        if name not in known:
            listed = ", ".join(known) or "none"
            raise StrategyError(f"{cls.name} has no parameter {name!r} (it has: {listed})")


def make_strategy(cls: type[Strategy], given: Mapping[str, Any]) -> Strategy:
    """``cls`` with the ``given`` parameters (text or values, converted to each field's
    type), checked. Raises StrategyError naming an unknown or unreadable parameter."""
    defaults = parameters(cls)
    require_parameters(cls, given)
    values = {
        name: _converted(cls.name, name, value, type(defaults[name]))
        for name, value in given.items()
    }
    strategy = cls(**values)
    strategy.check()
    return strategy


def _converted(strategy: str, name: str, value: Any, kind: type) -> Any:
    try:
        if kind is bool and isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(value)
            return value.lower() in ("true", "1", "yes")
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        return kind(value)
    except (TypeError, ValueError):
        raise StrategyError(f"{strategy}: {name} must be {kind.__name__}, not {value!r}") from None
