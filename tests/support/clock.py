"""A clock whose waits take no time: virtual seconds move forward instead.

``sleep_until`` jumps to the deadline (never backwards), and every deadline is
recorded, so a test reads exactly when each request was allowed to start.
"""

from __future__ import annotations

import threading


class FakeClock:
    def __init__(self, start: float = 1_000.0, wall: float = 1_800_000_000.0) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._wall_offset = wall - start
        self.waits: list[float] = []  # every deadline asked for, in call order

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def time(self) -> float:
        with self._lock:
            return self._now + self._wall_offset

    def sleep_until(self, deadline: float) -> None:
        with self._lock:
            self.waits.append(deadline)
            self._now = max(self._now, deadline)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
