"""Scheduled and scaled-out runs: ``translator-pipeline serve`` and the fan-out parent.

- :func:`serve` serves ``translate-and-publish`` from this process on the
  config's cron schedule: one run at a time, the schedule left active when the
  process stops. It needs a real Prefect server (``PREFECT_API_URL``): Prefect
  cannot schedule on its temporary server, so :func:`require_prefect_server`
  refuses to go on without one instead of hanging.
- :func:`translate_all_sources` is the parent flow of a work-pool deployment
  (``prefect.yaml``): one child run of ``translate-and-publish`` per source
  through :func:`prefect.deployments.run_deployment`, so each worker machine
  loads its models once per child; it waits for them, then writes the manifest
  and removes unlisted files once (children do not sweep: they run at the same
  time on one output), and fails only when every child failed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger

from translator_pipeline.config.settings import Settings, load_settings
from translator_pipeline.errors import PrefectServerError, RunFailedError

if TYPE_CHECKING:
    from translator_pipeline.publishing.storage import Publisher
    from translator_pipeline.store.state import StateStore
from translator_pipeline.flows.translate_and_publish import translate_and_publish

__all__ = ["serve", "shared_temporary_server", "translate_all_sources"]

WORK_POOL = "translator-pipeline"
CHILD_DEPLOYMENT = "translate-and-publish/site"  # as named in prefect.yaml
# A run due while the previous one is still going is cancelled, not queued: the next
# run picks up whatever it would have done, and a slow site cannot pile runs up.
COLLISION_STRATEGY = "CANCEL_NEW"
API_URL_EXAMPLE = "http://127.0.0.1:4200/api"

NO_SERVER = f"""\
`translator-pipeline serve` needs a Prefect server, and PREFECT_API_URL is not set.
Prefect cannot run schedules on its temporary (ephemeral) server. Start one and
leave it running (UI and API on http://127.0.0.1:4200):

    prefect server start

then point this command at it:

    export PREFECT_API_URL={API_URL_EXAMPLE}
    translator-pipeline serve --config FILE

(or store it once in your Prefect profile: prefect config set PREFECT_API_URL={API_URL_EXAMPLE})"""


def require_prefect_server() -> str:
    """The URL of the Prefect API this process talks to, checked to answer.

    ``PREFECT_API_URL`` from the environment or the active Prefect profile; an
    unset URL raises at once (before Prefect could start a temporary server).
    """
    url = os.environ.get("PREFECT_API_URL", "").strip()
    if not url:
        from prefect.settings import get_current_settings

        url = (get_current_settings().api.url or "").strip()
    if not url:
        raise PrefectServerError(NO_SERVER)
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise PrefectServerError(
            f"no Prefect server answers at PREFECT_API_URL={url}: {problem}\n"
            "Start it with `prefect server start` (API on "
            f"{API_URL_EXAMPLE}), or fix PREFECT_API_URL."
        )
    return url


@contextmanager
def shared_temporary_server() -> Iterator[str | None]:
    """Without PREFECT_API_URL: one temporary Prefect server for this process *and*
    its Dask worker processes (yields its API URL; None when a server is configured).

    Prefect's temporary server is per process: left alone, every Dask worker
    process would start its own (seconds each) and record its task runs there,
    where the flow run does not exist. Naming this process's server explicitly
    makes it part of the context the workers receive with each task.
    """
    from translator_pipeline.flows.server import owned_temporary_server

    # A child that dies with this process, however it ends (see flows/server.py).
    with owned_temporary_server() as url:
        yield url


def _concurrency_limit_one() -> Any:
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    return ConcurrencyLimitConfig(
        limit=1, collision_strategy=ConcurrencyLimitStrategy(COLLISION_STRATEGY)
    )


def schedules_for(settings: Settings) -> list[Any]:
    """The config's schedule as Prefect schedules: a cron or an interval, in its time zone."""
    from prefect.schedules import Cron, Interval

    from translator_pipeline.config.schedule import interval_anchor, parse_schedule

    if not settings.schedule:
        return []
    schedule = parse_schedule(settings.schedule)
    if schedule.interval is not None:
        anchor = interval_anchor(settings.timezone)
        return [Interval(schedule.interval, anchor_date=anchor, timezone=settings.timezone)]
    return [Cron(str(schedule.cron), timezone=settings.timezone)]


def serve_parameters(
    settings: Settings,
    engine: str | None = None,
    runner: str = "threads",
    dask_address: str | None = None,
) -> dict[str, Any]:
    """The flow parameters of the served deployment (only what differs from defaults)."""
    parameters: dict[str, Any] = {"config_path": str(settings.config_path)}
    if engine:
        parameters["engine"] = engine
    if runner != "threads" or dask_address:
        parameters["runner"] = "dask"
    if dask_address:
        parameters["dask_address"] = dask_address
    return parameters


def serve(
    settings: Settings,
    *,
    name: str | None = None,
    engine: str | None = None,
    runner: str = "threads",
    dask_address: str | None = None,
) -> None:
    """Serve ``translate-and-publish`` for this config until SIGINT/SIGTERM.

    The deployment ``translate-and-publish/<name>`` (default: the config file's
    stem) gets the config's cron schedule in its time zone, a concurrency limit
    of 1 (a run due while one is going is cancelled) and the config path as its
    parameter. Runs execute in subprocesses of this process. On shutdown the
    schedule stays active: runs due while nothing serves wait (Late); when serve
    starts again one of them runs and the others are cancelled by the limit.
    """
    from prefect.types.entrypoint import EntrypointType

    require_prefect_server()
    name = name or (settings.config_path.stem if settings.config_path else "site")
    translate_and_publish.serve(
        name=name,
        schedules=schedules_for(settings),
        parameters=serve_parameters(settings, engine, runner, dask_address),
        # One at a time is the server's deployment limit, not this process's: a run due
        # while another goes (late runs piled up while nothing served, a hand-triggered
        # one) is cancelled at once instead of waiting its turn here.
        global_limit=_concurrency_limit_one(),
        pause_on_shutdown=False,
        description=f"translate-and-publish of {settings.config_path}, served by "
        "`translator-pipeline serve`",
        tags=["translator-pipeline"],
        entrypoint_type=EntrypointType.MODULE_PATH,  # the installed package, any cwd
    )


# --- fan-out ------------------------------------------------------------------


def _wait_for(
    run_ids: dict[str, Any], poll_interval: float, timeout: float | None
) -> dict[str, Any]:
    """The flow runs, re-read until each is in a final state or ``timeout`` passes."""
    from prefect.client.orchestration import get_client

    deadline = None if timeout is None else time.monotonic() + timeout
    runs: dict[str, Any] = {}
    with get_client(sync_client=True) as client:
        while True:
            runs = {name: client.read_flow_run(rid) for name, rid in run_ids.items()}
            pending = [n for n, r in runs.items() if not (r.state and r.state.is_final())]
            if not pending or (deadline is not None and time.monotonic() >= deadline):
                return runs
            time.sleep(poll_interval)


def _summary_markdown(rows: list[dict[str, Any]], deployment_name: str) -> str:
    lines = [
        f"# translate-all-sources: {deployment_name}",
        "",
        "| source | state | flow run | message |",
        "|---|---|---|---|",
    ]
    for row in rows:
        message = (row["message"] or "").replace("|", "\\|").replace("\n", " ")[:300]
        lines.append(f"| {row['source']} | {row['state']} | {row['flow_run_name']} | {message} |")
    return "\n".join(lines)


@flow(name="translate-all-sources")
def translate_all_sources(
    config_path: str,
    deployment_name: str = CHILD_DEPLOYMENT,
    engine: str | None = None,
    runner: str = "threads",
    dask_address: str | None = None,
    poll_interval: float = 5.0,
    child_timeout: float | None = None,
) -> dict[str, Any]:
    """One run of ``deployment_name`` per source of the config, on its work pool.

    Each child gets ``config_path`` and ``source_names=[source]`` (and the
    engine/runner given here). Waits for all of them (at most ``child_timeout``
    seconds, default: as long as they take), then writes the manifest, removes
    unlisted files and delivers the queued webhook events, once. Returns the
    children's states; fails only when every child failed (or did not finish in time).
    """
    from prefect.context import FlowRunContext

    from translator_pipeline.publishing.storage import publisher_for
    from translator_pipeline.run.lease import RunLease
    from translator_pipeline.store.state import StateStore

    settings = load_settings(config_path, engine=engine)
    context = FlowRunContext.get()
    parent_id = context.flow_run.id if context and context.flow_run else "local"
    extra: dict[str, Any] = {"sweep": False}
    if engine:
        extra["engine"] = engine
    if runner != "threads":
        extra["runner"] = runner
    if dask_address:
        extra["dask_address"] = dask_address

    state = StateStore.from_settings(settings)
    publisher = publisher_for(settings)
    # The children share the output: they hold no lease of their own, this run does.
    with RunLease(state, publisher.url_for()):
        # Before any child writes: the output must be this state's (the children check too).
        from translator_pipeline.run.ownership import begin_publishing, claim_output
        from translator_pipeline.run.stages import article_events

        output = claim_output(state, publisher, settings)
        begin_publishing(state, publisher, settings, output, article_events(settings))
        return _fan_out(
            settings,
            config_path,
            deployment_name,
            parent_id,
            extra,
            (poll_interval, child_timeout),
            state,
            publisher,
        )


def _fan_out(
    settings: Settings,
    config_path: str,
    deployment_name: str,
    parent_id: Any,
    extra: dict[str, Any],
    waiting: tuple[float, float | None],
    state: StateStore,
    publisher: Publisher,
) -> dict[str, Any]:
    poll_interval, child_timeout = waiting
    from prefect.artifacts import create_markdown_artifact
    from prefect.deployments import run_deployment

    from translator_pipeline.run.stages import deliver_events, publish_manifest

    logger = get_run_logger()
    run_ids: dict[str, Any] = {}
    for source in settings.sources:
        child = run_deployment(
            deployment_name,
            parameters={"config_path": config_path, "source_names": [source.name], **extra},
            timeout=0,  # start them all, then wait
            flow_run_name=f"{source.name}",
            idempotency_key=f"{parent_id}:{source.name}",  # a retried parent reuses them
            tags=["translator-pipeline", f"source:{source.name}"],
        )
        logger.info("source %s: flow run %s (%s)", source.name, child.name, child.id)
        run_ids[source.name] = child.id

    runs = _wait_for(run_ids, poll_interval, child_timeout)
    rows = []
    for name, run in runs.items():
        ended = run.state
        rows.append(
            {
                "source": name,
                "flow_run_id": str(run.id),
                "flow_run_name": run.name,
                "state": ended.name if ended else "Unknown",
                "completed": bool(ended and ended.is_completed()),
                "final": bool(ended and ended.is_final()),
                "message": ended.message if ended else None,
            }
        )
    failed = [r for r in rows if not r["completed"]]
    for row in failed:
        logger.error("source %s: %s %s", row["source"], row["state"], row["message"] or "")

    if all(r["final"] for r in rows):
        # Every writer is done: one manifest from the shared state, then the sweep,
        # then the children's webhook events (they leave the outbox to this run).
        from translator_pipeline.run.ownership import claim_output

        publish_manifest(
            state, publisher, settings, output=claim_output(state, publisher, settings)
        )
        delivery = deliver_events(settings, state)
        if delivery.delivered or delivery.pending:
            logger.info(
                "webhooks: %d delivered, %d still queued", delivery.delivered, delivery.pending
            )
    else:
        logger.warning("children still running after %ss: manifest left to them", child_timeout)

    create_markdown_artifact(
        key="translate-all-sources",
        markdown=_summary_markdown(rows, deployment_name),
        description="state of each source's child run",
    )
    summary = {
        "deployment": deployment_name,
        "children": rows,
        "failed": [r["source"] for r in failed],
    }
    logger.info(
        "%d source(s): %d completed, %d failed%s",
        len(rows),
        len(rows) - len(failed),
        len(failed),
        f" ({', '.join(summary['failed'])})" if failed else "",
    )
    if rows and len(failed) == len(rows):
        raise RunFailedError(
            "every source's run failed: "
            + "; ".join(f"{r['source']}: {r['state']} {r['message'] or ''}" for r in failed)
        )
    return summary
