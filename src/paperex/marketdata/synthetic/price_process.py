"""A mid price that moves like a real one: a log random walk with volatility clustering.

The variance per second is ``base * exp(h - s²/2)`` where ``h`` is an Ornstein-Uhlenbeck process
(stochastic volatility: calm and busy spells that last minutes) whose noise is negatively
correlated with returns (the leverage effect: falls raise volatility). Shocks are Student-t, so
returns have heavy tails. The mean variance stays ``base``. Everything comes from ``rng``.
"""

from __future__ import annotations

import math
import random
from typing import Final

_TAIL_DEGREES: Final = 5.0
_T_SCALE: Final = math.sqrt((_TAIL_DEGREES - 2.0) / _TAIL_DEGREES)
"""Scales a Student-t draw to unit variance."""


class VolatilityClusteringWalk:
    """The log mid price and its clustered volatility, stepped by elapsed simulated time."""

    def __init__(
        self,
        rng: random.Random,
        *,
        start_price: float,
        variance_per_second: float,
        volatility_memory_seconds: float = 900.0,
        log_variance_spread: float = 0.7,
        leverage: float = -0.5,
    ) -> None:
        """Raises ValueError for a non-positive price, variance or memory."""
        if start_price <= 0 or variance_per_second <= 0 or volatility_memory_seconds <= 0:
            raise ValueError("price, variance and volatility memory must be positive")
        self._rng = rng
        self.log_price = math.log(start_price)
        self._base_variance = variance_per_second
        self._memory = volatility_memory_seconds
        self._spread = log_variance_spread
        self._leverage = leverage
        self._leverage_complement = math.sqrt(1.0 - leverage * leverage)
        self._log_variance = rng.gauss(0.0, log_variance_spread)
        self._variance_bias = log_variance_spread**2 / 2.0

    @property
    def price(self) -> float:
        """The current mid price."""
        return math.exp(self.log_price)

    @property
    def variance_per_second(self) -> float:
        """The current variance of log returns per second."""
        return self._base_variance * math.exp(self._log_variance - self._variance_bias)

    @property
    def volatility_multiplier(self) -> float:
        """Current volatility over its long-run mean (about 0.5 calm to 2 busy)."""
        return math.exp((self._log_variance - self._variance_bias) / 2.0)

    def step(self, seconds: float) -> float:
        """Advance by ``seconds`` of simulated time; returns the step's shock (unit variance).

        The log return of the step is the shock times the step's standard deviation.
        """
        if seconds <= 0.0:
            return 0.0
        rng = self._rng
        variance = self.variance_per_second * seconds
        normal = rng.gauss(0.0, 1.0)
        chi_square = 2.0 * rng.gammavariate(_TAIL_DEGREES / 2.0, 1.0)
        shock = normal / math.sqrt(chi_square / _TAIL_DEGREES) * _T_SCALE
        log_return = math.sqrt(variance) * shock - variance / 2.0
        self.log_price += log_return

        decay = math.exp(-seconds / self._memory)
        noise = self._leverage * normal + self._leverage_complement * rng.gauss(0.0, 1.0)
        self._log_variance = (
            self._log_variance * decay + self._spread * math.sqrt(1.0 - decay * decay) * noise
        )
        return shock
