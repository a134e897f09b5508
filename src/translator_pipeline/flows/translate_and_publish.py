"""The scheduled job as a Prefect flow: the run loop of :mod:`translator_pipeline.run`
with its stages as Prefect tasks.

One task per source for discovery; then per chunk of articles one
fetch-extract-detect task, one translate-render task per target language and
one publish task, never one per segment or per article (a task costs tens of
milliseconds, a 304 one or two). What a run does, and every rule it follows,
is in :mod:`translator_pipeline.run.loop`; this module only wires it to
Prefect: task definitions, the task runner, artifacts.

Task runner: threads by default; with ``runner="dask"`` the translation tasks
(CPU-bound, one model set per worker process) go to a Dask cluster while
discovery, fetching and publishing stay in this process (see
:class:`PipelineTaskRunner`). Tasks get the settings and the run's key, never
the run's context: each process builds its own (see
:func:`~translator_pipeline.run.context.context_for`).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from translator_pipeline.config.preflight import check_machine
from translator_pipeline.config.settings import Settings, load_settings
from translator_pipeline.errors import ConfigError, PipelineError
from translator_pipeline.flows.artifacts import publish_glossary_artifact, publish_run_artifacts
from translator_pipeline.models import RunReport
from translator_pipeline.run.context import RunContext, close_context, context_for, open_context
from translator_pipeline.run.executors import run_stage
from translator_pipeline.run.loop import MAX_WORKERS, RunHooks, execute_run, select_sources

__all__ = ["PipelineTaskRunner", "translate_and_publish"]

DASK_TASKS = frozenset({"translate-render"})  # what runner="dask" sends to the cluster
DASK_LOCAL_WORKERS = 2  # processes of the LocalCluster started when no address is given
DASK_CONNECT_TIMEOUT = 20  # seconds to reach a Dask scheduler given by address


class PipelineTaskRunner(ThreadPoolTaskRunner):
    """Threads for every task; after :meth:`use_dask`, translation tasks go to Dask.

    Discovery, fetching and publishing stay in this process's threads: they share
    the run's Fetcher (robots.txt cache, per-host politeness) and write the output
    and the state. Translation is CPU-bound and needs the models: on Dask each
    worker process loads them once (engines are looked up per process, never
    passed as task parameters). Without an address, a LocalCluster of
    ``DASK_LOCAL_WORKERS`` single-threaded processes is started at the first
    translation (a run with nothing to translate starts none) and stopped with
    the run.
    """

    def __init__(self, max_workers: int | None = MAX_WORKERS) -> None:
        super().__init__(max_workers=max_workers)
        self._dask: Any = None

    def duplicate(self) -> PipelineTaskRunner:
        return type(self)(max_workers=self._max_workers)

    def use_dask(self, address: str | None = None) -> None:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise PipelineError(
                "runner 'dask' needs prefect-dask: pip install 'translator-pipeline[dask]'"
            ) from None
        if address:
            dask = DaskTaskRunner(address=address, client_kwargs={"timeout": DASK_CONNECT_TIMEOUT})
        else:
            dask = DaskTaskRunner(
                cluster_class="distributed.LocalCluster",
                cluster_kwargs={
                    "n_workers": DASK_LOCAL_WORKERS,
                    "threads_per_worker": 1,
                    "processes": True,
                    "dashboard_address": None,
                },
            )
        self._dask = dask.__enter__()
        if address:  # an unreachable scheduler fails the run before anything is fetched
            try:
                dask.client  # noqa: B018 (connects)
            except (OSError, TimeoutError) as exc:
                self._close_dask(None, None, None)
                raise PipelineError(
                    f"cannot reach the Dask scheduler at {address}: {exc}"
                ) from None

    def submit(self, task, parameters, wait_for=None, dependencies=None):  # type: ignore[override]
        if self._dask is not None and task.name in DASK_TASKS:
            return self._dask.submit(task, parameters, wait_for, dependencies)
        return super().submit(task, parameters, wait_for, dependencies)

    def _close_dask(self, *exc_info: Any) -> None:
        dask, self._dask = self._dask, None
        if dask is not None:
            dask.__exit__(*exc_info)

    def __exit__(self, *exc_info: Any) -> None:
        try:
            super().__exit__(*exc_info)  # waits for the threads (they may wait on Dask)
        finally:
            self._close_dask(*exc_info)


RUNNERS = ("threads", "dask")


def _select_task_runner(runner: str, dask_address: str | None) -> None:
    """Route this run's translation tasks as ``runner`` says (see PipelineTaskRunner).

    ``runner`` is a plain ``str`` parameter, not a ``Literal``: a served flow's
    function is pickled by value, with only the globals its body uses, so an
    annotation naming ``Literal`` could not be resolved when Prefect validates
    the parameters of a run.
    """
    if runner not in RUNNERS:
        raise ConfigError("runner", [("runner", f"{runner!r} is not one of {list(RUNNERS)}")])
    if runner != "dask":
        if dask_address:
            raise ConfigError("runner", [("dask_address", "given without runner='dask'")])
        return
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    task_runner = context.task_runner if context else None
    if not isinstance(task_runner, PipelineTaskRunner):
        raise PipelineError(
            f"runner 'dask' needs the flow's PipelineTaskRunner, not {type(task_runner).__name__}"
        )
    task_runner.use_dask(dask_address)


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(settings: Settings, run_key: str, source_name: str) -> Any:
    return run_stage("discover", context_for(settings, run_key), source_name)


@task(name="fetch-extract-detect", cache_policy=NO_CACHE)
def fetch_task(settings: Settings, run_key: str, candidates: list[Any]) -> list[Any]:
    """Per candidate: the article with its languages detected, ``unchanged`` on a 304,
    or why it is skipped. No Prefect retries: the fetcher retries what is worth
    retrying (timeouts, 429, 5xx) itself, politely, and reports the rest."""
    return run_stage("fetch", context_for(settings, run_key), candidates)


@task(name="translate-render", cache_policy=NO_CACHE)
def translate_task(settings: Settings, run_key: str, work: list[Any], language: str) -> list[Any]:
    """A chunk translated into ``language`` and rendered, in the process that runs the
    task (a Dask worker loads the models once)."""
    return run_stage("translate", context_for(settings, run_key), work, language)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(
    settings: Settings, run_key: str, articles: list[Any], translations: list[Any]
) -> list[Any]:
    """Each article's variants written and recorded, article by article."""
    return run_stage("publish", context_for(settings, run_key), articles, translations)


TASKS = {
    "discover": discover_task,
    "fetch": fetch_task,
    "translate": translate_task,
    "publish": publish_task,
}


class PrefectExecutor:
    """The run loop's executor inside a flow: each stage a Prefect task, submitted to
    the flow's task runner. Futures among the arguments are Prefect's own: the task
    waits for them."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx

    def submit(self, stage: str, *args: Any) -> PrefectFuture[Any]:
        return TASKS[stage].submit(self.ctx.settings, self.ctx.key, *args)


ARTIFACTS = RunHooks(
    on_review=lambda report, review: publish_glossary_artifact(report.glossary_events, review),
    on_report=publish_run_artifacts,
)


@flow(name="translate-and-publish", task_runner=PipelineTaskRunner(max_workers=MAX_WORKERS))
def translate_and_publish(
    config_path: str,
    engine: str | None = None,
    overrides: dict[str, Any] | None = None,
    source_names: list[str] | None = None,
    runner: str = "threads",
    dask_address: str | None = None,
    sweep: bool = True,
) -> RunReport:
    """Run the pipeline once over every source in the config file.

    ``engine`` overrides the config's engine; ``overrides`` sets other
    top-level config keys (after the file and ``TP_*`` variables).
    ``source_names`` restricts the run to those sources (one fan-out child).
    ``runner="dask"`` sends the translation tasks to the Dask scheduler at
    ``dask_address`` (``tcp://host:8786``), or to a LocalCluster of 2 processes.
    ``sweep=False`` is for runs sharing the output and state with others at once
    (fan-out children): they leave unlisted files alone and deliver no webhook;
    the events stay queued and the parent sweeps and delivers once every child
    is done.
    """
    try:
        settings = select_sources(
            check_machine(load_settings(config_path, engine=engine, **(overrides or {}))),
            source_names,
        )
        _select_task_runner(runner, dask_address)
        ctx = open_context(settings)
        try:
            return execute_run(
                ctx,
                PrefectExecutor(ctx),
                source_names=source_names,
                sweep=sweep,
                workers=MAX_WORKERS,
                hooks=ARTIFACTS,
            )
        finally:
            close_context(ctx.key)
    except PipelineError as exc:
        # A known refusal (models missing, a run in progress, a bad glossary, an
        # unusable state database, nothing could be done) ends the run Failed with its
        # one-line message, not a traceback in every log; calling the flow still raises
        # this exception, so the CLI and callers see exactly what went wrong.
        return Failed(message=str(exc), data=exc)
