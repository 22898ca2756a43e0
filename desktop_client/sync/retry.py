"""How long to wait before sending a message again after a network or server failure."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff: ``first_delay``, doubled each time, at most
    ``max_delay``, for ``retries`` retries after the first attempt.

    ``jitter`` spreads the waits by up to that fraction, so the laptops of a whole site
    that lost the network together do not all come back in the same second.
    """

    retries: int = 5
    first_delay: float = 1.0
    max_delay: float = 60.0
    multiplier: float = 2.0
    jitter: float = 0.1

    def delays(self, random_fraction: Callable[[], float] = random.random) -> list[float]:
        result = []
        delay = self.first_delay
        for _ in range(self.retries):
            spread = 1 + self.jitter * (2 * random_fraction() - 1)
            result.append(min(self.max_delay, delay * spread))
            delay = min(self.max_delay, delay * self.multiplier)
        return result
