"""One publishing run per output at a time.

Two runs writing one output at once would sweep each other's files (written,
not yet recorded) and send the outbox twice. Prefect's deployment concurrency
limit covers scheduled runs of one deployment only; a hand-started run, a
second deployment or a second ``serve`` of the same config are not. So a run
takes a lease named after its output in the state database (shared by every
worker) before it fetches anything, renews it from a background thread while
it works, and releases it at the end. A run killed without releasing it blocks
others for at most ``ttl`` seconds.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime
from types import TracebackType

from translator_pipeline.errors import PipelineError, RunInProgressError
from translator_pipeline.processes import is_dead_here, writer
from translator_pipeline.store.state import StateStore

__all__ = ["RunLease", "lease_name"]

LEASE_TTL = 120.0  # seconds a lease lasts without renewal (a killed run's is then free)
RENEW_EVERY = 20.0  # seconds between renewals

log = logging.getLogger(__name__)


def lease_name(output: str) -> str:
    return f"publish:{output}"


def _dead_here(holder: str) -> bool:
    """Whether ``holder`` (``host~pid~run``) was a process of this host that is gone."""
    host, _, rest = holder.partition("~")
    pid = rest.partition("~")[0]
    return pid.isdigit() and is_dead_here(host, int(pid))


class RunLease:
    """``with RunLease(state, output):`` — the body runs holding the output's lease;
    :class:`RunInProgressError` (naming the holder) when another run holds it."""

    def __init__(
        self,
        state: StateStore,
        output: str,
        *,
        ttl: float = LEASE_TTL,
        renew_every: float = RENEW_EVERY,
    ) -> None:
        self.state = state
        self.name = lease_name(output)
        self.output = output
        self.ttl = ttl
        self.renew_every = renew_every
        self.holder = f"{writer()}~{uuid.uuid4().hex[:8]}"
        self.lost = False  # the lease expired and someone else took it meanwhile
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> RunLease:
        other = self.state.acquire_lease(self.name, self.holder, self.ttl)
        if other is not None and _dead_here(other.holder):
            # A run of this machine that was killed: no need to wait for its lease to lapse.
            log.warning("taking over the publishing lease of %s from dead run %s", self.output,
                        other.holder)  # fmt: skip
            other = self.state.acquire_lease(
                self.name, self.holder, self.ttl, take_over=other.holder
            )
        if other is not None:
            until = datetime.fromtimestamp(other.expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            raise RunInProgressError(
                f"another run ({other.holder}, since {other.acquired_at}) is publishing to "
                f"{self.output}; this run stopped before fetching anything. If that run was "
                f"killed, its lease lapses at {until} (state database {self.state.url})"
            )
        self._thread = threading.Thread(target=self._renew, name="tp-lease", daemon=True)
        self._thread.start()
        return self

    def renew(self) -> bool:
        """Extend the lease by ``ttl`` from now; False once it was lost to another run.
        The background thread calls this every ``renew_every`` seconds."""
        if self.lost:
            return False
        try:
            if not self.state.renew_lease(self.name, self.holder, self.ttl):
                self.lost = True
                log.error("lost the publishing lease of %s to another run", self.output)
        except PipelineError as exc:  # the database away a moment: try again next time
            log.warning("could not renew the publishing lease of %s: %s", self.output, exc)
        return not self.lost

    def _renew(self) -> None:
        while not self._stop.wait(self.renew_every):
            if not self.renew():
                return

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.renew_every + 5)
        try:
            self.state.release_lease(self.name, self.holder)
        except PipelineError as error:  # it lapses by itself after ttl
            log.warning("could not release the publishing lease of %s: %s", self.output, error)
