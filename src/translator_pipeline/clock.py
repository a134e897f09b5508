"""Time as the pipeline reads it: one seam, so waits can be tested without waiting.

Politeness gates, retry backoff and leases ask a :class:`Clock` for the time and
for waits; production uses :data:`SYSTEM_CLOCK`. Tests pass a clock whose waits
move virtual time forward, so "one second apart" is checked exactly and at once.
Timeouts of network reads stay on the real clock: they measure the network.
"""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "SystemClock"]


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (intervals, deadlines)."""
        ...

    def time(self) -> float:
        """Unix seconds (stored expiry times other processes read)."""
        ...

    def sleep_until(self, deadline: float) -> None:
        """Return once :meth:`monotonic` has reached ``deadline`` (at once if it has)."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep_until(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)


SYSTEM_CLOCK: Clock = SystemClock()
