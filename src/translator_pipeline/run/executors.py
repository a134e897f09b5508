"""Where a run's units of work execute: the seam between the run loop and Prefect.

The loop (:mod:`translator_pipeline.run.loop`) asks an :class:`Executor` to
run a stage (``"discover"``, ``"fetch"``, ``"translate"``, ``"publish"``) with
its arguments, and gets back a future. Arguments may themselves be futures of
earlier stages (publishing waits for the translations of its chunk); the
executor starts the stage once they are all resolved.

:class:`ThreadExecutor` runs stages on a thread pool of this process (what
:func:`~translator_pipeline.run.loop.run_once` uses); the Prefect flow has one
that submits Prefect tasks (:mod:`translator_pipeline.flows`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from translator_pipeline.run import stages
from translator_pipeline.run.context import RunContext

__all__ = ["STAGES", "Executor", "StageFuture", "ThreadExecutor", "run_stage"]

#: Stage name → the library function that does it (first argument: the RunContext).
STAGES: dict[str, Callable[..., Any]] = {
    "discover": stages.discover_source,
    "fetch": stages.fetch_chunk,
    "translate": stages.translate_chunk,
    "publish": stages.publish_chunk,
}


def run_stage(name: str, ctx: RunContext, *args: Any) -> Any:
    """Run the stage ``name`` in this thread (what every executor ends up calling).

    Looked up at call time, so a test can replace a stage function in
    :mod:`translator_pipeline.run.stages`."""
    return getattr(stages, STAGES[name].__name__)(ctx, *args)


class StageFuture(Protocol):
    def result(self, timeout: float | None = None) -> Any: ...


class Executor(Protocol):
    """Runs stages of one run. ``submit`` must not block on the stage's work."""

    def submit(self, stage: str, *args: Any) -> StageFuture: ...


class ThreadExecutor:
    """Stages on ``max_workers`` threads of this process.

    A stage whose arguments include futures is started only when they are all
    done (a waiting stage never holds a thread, so chunks cannot deadlock the
    pool); if one of them failed, the stage's own future fails with that error.
    """

    def __init__(self, ctx: RunContext, max_workers: int = 4) -> None:
        self.ctx = ctx
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="tp-run")

    def __enter__(self) -> ThreadExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, stage: str, *args: Any) -> Future[Any]:
        waits = _futures_in(args)
        if not waits:
            return self._pool.submit(run_stage, stage, self.ctx, *args)
        outer: Future[Any] = Future()
        remaining = [len(waits)]
        lock = threading.Lock()

        def start() -> None:
            try:
                resolved = _resolve(args)
            except BaseException as exc:  # an input failed: so does this stage
                outer.set_exception(exc)
                return
            inner = self._pool.submit(run_stage, stage, self.ctx, *resolved)
            inner.add_done_callback(lambda f: _copy(f, outer))

        def one_done(_: Future[Any]) -> None:
            with lock:
                remaining[0] -= 1
                last = remaining[0] == 0
            if last:
                start()

        for f in waits:
            f.add_done_callback(one_done)
        return outer


def _futures_in(value: Any) -> list[Future[Any]]:
    if isinstance(value, Future):
        return [value]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in _futures_in(v)]
    return []


def _resolve(value: Any) -> Any:
    if isinstance(value, Future):
        return value.result()
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolve(v) for v in value)
    return value


def _copy(source: Future[Any], target: Future[Any]) -> None:
    exc = source.exception()
    if exc is not None:
        target.set_exception(exc)
    else:
        target.set_result(source.result())
