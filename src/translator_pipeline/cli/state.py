"""``translator-pipeline state backup|restore|adopt|show`` and ``events list|skip|retry``:
the state database and the webhook outbox from the shell (see
docs/state-and-recovery.md).

Exit status: 0 done, 1 refused or failed (the reason on stderr, one line),
2 bad config (reported by :func:`.cli.main`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

__all__ = ["add_events_parser", "add_state_parser"]


def add_state_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``state`` and its actions on the top-level subparsers."""
    state = subparsers.add_parser(
        "state", help="back up, restore or inspect the state database; adopt an output"
    )
    actions = state.add_subparsers(dest="state_action", required=True)

    backup = actions.add_parser(
        "backup",
        help="write a consistent copy of the SQLite state database (runs may go on meanwhile)",
    )
    backup.add_argument("file", help="the backup file to write")
    backup.add_argument("--config", required=True, help="TOML config file")
    backup.set_defaults(func=cmd_state_backup)

    restore = actions.add_parser(
        "restore",
        help="replace the SQLite state database with a backup (no run may be publishing)",
    )
    restore.add_argument("file", help="a file written by `state backup`")
    restore.add_argument("--config", required=True, help="TOML config file")
    restore.set_defaults(func=cmd_state_restore)

    adopt = actions.add_parser(
        "adopt",
        help="rebuild the state's record of the output from its manifest and pages "
        "(after a lost state or a restored older backup)",
    )
    adopt.add_argument("--config", required=True, help="TOML config file")
    adopt.set_defaults(func=cmd_state_adopt)

    show = actions.add_parser("show", help="the state's id, its outputs and the output's marker")
    show.add_argument("--config", required=True, help="TOML config file")
    show.set_defaults(func=cmd_state_show)


def add_events_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``events`` and its actions on the top-level subparsers."""
    events = subparsers.add_parser(
        "events", help="list the webhook events still queued; skip (dead-letter) or retry one"
    )
    actions = events.add_subparsers(dest="events_action", required=True)

    listing = actions.add_parser("list", help="queued and dead-lettered events, oldest first")
    listing.add_argument("--config", required=True, help="TOML config file")
    listing.add_argument("--json", action="store_true", help="print JSON lines")
    listing.set_defaults(func=cmd_events_list)

    skip = actions.add_parser(
        "skip",
        help="dead-letter an event a receiver refuses, so later events are delivered",
    )
    skip.add_argument("event_id", help="the event's id (X-TP-Delivery)")
    skip.add_argument("--webhook", help="only for this webhook URL (default: every webhook)")
    skip.add_argument("--config", required=True, help="TOML config file")
    skip.set_defaults(func=cmd_events_skip)

    retry = actions.add_parser("retry", help="queue a dead-lettered event again, in its place")
    retry.add_argument("event_id", help="the event's id")
    retry.add_argument("--webhook", help="only for this webhook URL (default: every webhook)")
    retry.add_argument("--config", required=True, help="TOML config file")
    retry.set_defaults(func=cmd_events_retry)


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.store.state import StateStore

    settings = load_settings(args.config)
    return settings, StateStore.from_settings(settings)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_state_backup(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import PipelineError

    try:
        _, state = _open(args)
        written = state.backup_to(args.file)
    except PipelineError as exc:
        return _fail(exc.message)
    print(f"backed up {state.url} to {written}")
    return 0


def cmd_state_restore(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import PipelineError
    from translator_pipeline.publishing.storage import publisher_for
    from translator_pipeline.run.lease import RunLease

    try:
        settings, state = _open(args)
        # No run may publish meanwhile: hold the output's lease while the file changes.
        with RunLease(state, publisher_for(settings).url_for()):
            state.restore_from(args.file)
    except PipelineError as exc:
        return _fail(exc.message)
    print(
        f"restored {state.url} from {args.file}; if the output changed since that backup, "
        f"the next run will say so: then run `translator-pipeline state adopt --config "
        f"{args.config}`"
    )
    return 0


def cmd_state_adopt(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import PipelineError
    from translator_pipeline.publishing.storage import publisher_for
    from translator_pipeline.run.lease import RunLease
    from translator_pipeline.run.ownership import adopt_output

    try:
        settings, state = _open(args)
        publisher = publisher_for(settings)
        with RunLease(state, publisher.url_for()):
            report = adopt_output(state, publisher, settings)
    except PipelineError as exc:
        return _fail(exc.message)
    print(
        f"adopted {publisher.url_for()} into {state.url}: {report.articles} article(s), "
        f"{report.variants} variant(s) at generation {report.generation}"
    )
    if report.stale_variants:
        print(
            f"  {report.stale_variants} page(s) differ from the manifest: the next run redoes them"
        )
    if report.missing:
        print(f"  {len(report.missing)} listed page(s) missing, not adopted: {report.missing[:5]}")
    if report.forgotten:
        print(f"  {report.forgotten} variant(s) no longer in the output: forgotten")
    return 0


def cmd_state_show(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import PipelineError
    from translator_pipeline.publishing.storage import publisher_for
    from translator_pipeline.run.ownership import read_marker

    try:
        settings, state = _open(args)
        publisher = publisher_for(settings)
        marker = read_marker(publisher)
        data = {
            "state": state.url,
            "state_id": state.state_id(),
            "outputs": [o.__dict__ for o in state.outputs()],
            "output": publisher.url_for(),
            "marker": marker.__dict__ if marker else None,
            "outbox": state.outbox_counts(),
        }
    except PipelineError as exc:
        return _fail(exc.message)
    print(json.dumps(data, indent=2))
    return 0


def cmd_events_list(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import PipelineError

    try:
        _, state = _open(args)
        events = state.outbox_events()
    except PipelineError as exc:
        return _fail(exc.message)
    for e in events:
        if args.json:
            print(json.dumps(e))
            continue
        status = "dead-lettered" if e["abandoned"] else "queued"
        error = f" — last error: {e['last_error']}" if e["last_error"] else ""
        print(
            f"{e['id']}  {e['type']:<17} {status:<13} {e['attempts']} attempt(s)  "
            f"{e['created']}  {e['webhook']}{error}"
        )
    return 0


def _set_skipped(args: argparse.Namespace, skipped: bool) -> int:
    from translator_pipeline.errors import PipelineError

    try:
        _, state = _open(args)
        changed = state.set_abandoned(args.event_id, skipped, webhook=args.webhook)
    except PipelineError as exc:
        return _fail(exc.message)
    if not changed:
        which = "queued" if skipped else "dead-lettered"
        return _fail(
            f"no {which} event {args.event_id}"
            + (f" for {args.webhook}" if args.webhook else "")
            + "; see `translator-pipeline events list`"
        )
    verb = "dead-lettered (later events will be delivered)" if skipped else "queued again"
    print(f"event {args.event_id}: {verb} for {changed} webhook(s)")
    return 0


def cmd_events_skip(args: argparse.Namespace) -> int:
    return _set_skipped(args, True)


def cmd_events_retry(args: argparse.Namespace) -> int:
    return _set_skipped(args, False)
