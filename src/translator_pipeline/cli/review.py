"""``translator-pipeline review export|import``: the translators' round trip.

``export`` writes the segments of the translated variants the state holds as
XLIFF (1.2 by default, 2.0 on request) for a CAT tool, weakest first; with
``--tmx`` it writes the approved segment translations as TMX instead.
``import`` reads reviewed XLIFF files back: approved units become approved
segment translations in the state, which the next run publishes.

Exit status: 0 done; 1 a file could not be read or written (nothing of it was
imported); 2 a bad ``--config`` or option; 3 imported, but some units were
rejected (listed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from translator_pipeline.errors import ConfigError

if TYPE_CHECKING:
    from translator_pipeline.config.settings import Settings
    from translator_pipeline.models import VariantReview
    from translator_pipeline.review.apply import ImportCheck
    from translator_pipeline.store.state import StateStore

__all__ = ["add_review_parser"]

EXIT_REJECTED = 3


def add_review_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``review`` and its actions on the top-level subparsers."""
    review = subparsers.add_parser(
        "review", help="export segments for translators (XLIFF, TMX) and import their review"
    )
    actions = review.add_subparsers(dest="review_action", required=True)

    export = actions.add_parser(
        "export",
        help="write translated segments as XLIFF for a CAT tool (or approved ones as TMX)",
    )
    export.add_argument("--config", required=True, help="TOML config file (its state database)")
    export.add_argument(
        "--since",
        help="only variants translated since: an ISO date or time (UTC), 'last' (the last "
        "run, from its run-report.json in run_report_dir or output_dir), or a "
        "run-report.json path",
    )
    export.add_argument(
        "--language",
        action="append",
        help="target language to export (repeat for more; default: all)",
    )
    export.add_argument(
        "--from",
        dest="source_language",
        help="only articles in this source language (XLIFF 2.0 holds one pair per file)",
    )
    export.add_argument("--url", action="append", help="only this article (repeatable)")
    export.add_argument(
        "--xliff-version", choices=["1.2", "2.0"], default="1.2", help="XLIFF version"
    )
    export.add_argument(
        "--order",
        choices=["weakest", "document"],
        default="weakest",
        help="weakest segments and variants first (default), or reading order",
    )
    export.add_argument(
        "--include-approved",
        action="store_true",
        help="also export segments translators already approved (state signed-off)",
    )
    export.add_argument(
        "--tmx", action="store_true", help="write the approved segment translations as TMX"
    )
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(func=cmd_review_export)

    imp = actions.add_parser(
        "import", help="take the reviewed units of XLIFF files as approved translations"
    )
    imp.add_argument("files", nargs="+", help="reviewed XLIFF 1.2 or 2.0 files")
    imp.add_argument("--config", required=True, help="TOML config file (its state database)")
    how = imp.add_mutually_exclusive_group()
    how.add_argument(
        "--strict-states",
        action="store_true",
        help="approve only units whose state says so (translated, signed-off, final); by "
        "default an edited machine target counts too (CAT tools that keep states)",
    )
    how.add_argument(
        "--accept-all",
        action="store_true",
        help="approve every target in the files, edited or not",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and report; store nothing")
    imp.add_argument("--json", action="store_true", help="print the report as JSON")
    imp.set_defaults(func=cmd_review_import)


def _store(config: str) -> tuple[Settings, StateStore]:
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.store.state import StateStore

    settings = load_settings(config)  # ConfigError → exit 2
    if not settings.state_url and not Path(settings.state_path).exists():
        raise ConfigError(
            config,
            [("state_path", f"{settings.state_path} does not exist: run the pipeline first")],
        )
    return settings, StateStore.from_settings(settings)


def _since(value: str | None, output_dir: Path) -> str | None:
    """``--since`` as a UTC ISO time the state's ``updated_at`` compares with."""
    if not value:
        return None
    if value == "last" or value.endswith(".json"):
        from translator_pipeline.run.report import RUN_REPORT_NAME

        path = output_dir / RUN_REPORT_NAME if value == "last" else Path(value)
        try:
            started = json.loads(path.read_text(encoding="utf-8"))["started_at"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            hint = " (published to object storage? name a copy or give a date)"
            problem = f"cannot read {path}: {exc}" + (hint if value == "last" else "")
            raise ConfigError("--since", [("--since", problem)]) from None
        return str(started)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            "--since", [("--since", f"{value!r} is not an ISO date or time, 'last' or a file")]
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _write(data: bytes, output: str | None) -> int:
    if not output:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    from translator_pipeline.errors import PublishError
    from translator_pipeline.files import write_atomic

    try:
        write_atomic(Path(output), data)
    except PublishError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_review_export(args: argparse.Namespace) -> int:
    from translator_pipeline import __version__

    settings, store = _store(args.config)
    since = _since(args.since, Path(settings.run_report_dir or settings.output_dir))
    languages = args.language or [None]
    reviews = [
        r
        for lang in languages
        for r in store.reviews(language=lang, since=since, with_records=True)
        if (not args.url or r.article_url in args.url)
        and (not args.source_language or r.source_language == args.source_language)
    ]
    if args.tmx:
        return _export_tmx(store, reviews, args, __version__)
    from translator_pipeline.review.export import review_files
    from translator_pipeline.review.xliff import write_xliff

    files = review_files(reviews, order=args.order, include_approved=args.include_approved)
    try:
        data = write_xliff(files, version=args.xliff_version, tool_version=__version__)
    except ValueError as exc:
        raise ConfigError("--xliff-version", [("--xliff-version", str(exc))]) from None
    rc = _write(data, args.output)
    units = sum(len(f.units) for f in files)
    if rc == 0:
        where = args.output or "standard output"
        print(
            f"{units} segment(s) of {len(files)} variant(s) → {where} (XLIFF {args.xliff_version})",
            file=sys.stderr,
        )
    return rc


def _export_tmx(
    store: StateStore, reviews: Sequence[VariantReview], args: argparse.Namespace, version: str
) -> int:
    from translator_pipeline.review.export import plain_target
    from translator_pipeline.review.tmx import MemoryEntry, write_tmx

    # The approved targets' placeholders are the segments' tags: spell them out.
    tags = {r.id: r.tags for review in store.reviews(with_records=True) for r in review.records}
    wanted = set(args.language or ())
    entries = [
        MemoryEntry(
            id=p.id,
            source_language=p.source_language,
            target_language=p.target_language,
            source=p.source,
            target=plain_target(p.target, tags.get(p.id, ())),
            note=p.note,
        )
        for p in store.approved_segments()
        if (not wanted or p.target_language in wanted)
    ]
    if args.since or args.url:  # restrict to segments approved in the variants asked for
        ids = {rec.id for review in reviews for rec in review.records}
        entries = [e for e in entries if e.id in ids]
    rc = _write(write_tmx(entries, tool_version=version), args.output)
    if rc == 0:
        print(
            f"{len(entries)} approved segment(s) → {args.output or 'standard output'} (TMX)",
            file=sys.stderr,
        )
    return rc


def cmd_review_import(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import ReviewFileError
    from translator_pipeline.glossary.pinned import segment_key
    from translator_pipeline.review.apply import check_review_files
    from translator_pipeline.review.xliff import check_size, read_xliff

    _settings, store = _store(args.config)
    variants = {(r.article_url, r.language): r for r in store.reviews(with_records=True)}
    # What is approved already, kept up to date as each file's approvals are stored.
    approved = {
        (p.source_language, p.target_language, segment_key(p.source)): p.target
        for p in store.approved_segments()
    }
    failed = rejected = 0
    results = []
    for name in args.files:
        path = Path(name)
        try:
            check_size(path.stat().st_size, name)
            files = read_xliff(path.read_bytes(), path=name)
        except OSError as exc:
            failed += 1
            print(f"error: {name}: {exc.strerror or exc}", file=sys.stderr)
            results.append({"path": name, "error": str(exc)})
            continue
        except ReviewFileError as exc:
            failed += 1
            print(f"error: {exc} (nothing imported)", file=sys.stderr)
            results.append({"path": name, "error": str(exc)})
            continue
        check = check_review_files(
            files,
            variants,
            approved,
            origin=path.name,
            accept_edited=not args.strict_states,
            accept_all=args.accept_all,
        )
        stored = (0, 0)
        if check.approvals and not args.dry_run:
            stored = store.approve_segments(check.approvals)
            approved.update(
                {
                    (a.source_language, a.target_language, segment_key(a.source_text)): a.target
                    for a in check.approvals
                }
            )
        rejected += check.total("rejected")
        results.append(_file_result(name, check, stored, args.dry_run))
    if args.json:
        print(json.dumps({"files": results}, ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_result(result)
    if failed:
        return 1
    return EXIT_REJECTED if rejected else 0


def _file_result(name: str, check: ImportCheck, stored: tuple[int, int], dry_run: bool) -> dict:
    return {
        "path": name,
        "dry_run": dry_run,
        "approved": check.total("approved"),
        "unchanged": check.total("unchanged"),
        "not_reviewed": check.total("not_reviewed"),
        "rejected": check.total("rejected"),
        "stored": stored[0],
        "variants": [
            {
                "url": f.original,
                "source_language": f.source_language,
                "language": f.target_language,
                "approved": f.approved,
                "unchanged": f.unchanged,
                "not_reviewed": f.not_reviewed,
                "rejected": [{"id": i, "reason": r} for i, r in f.rejected],
                "error": f.error,
            }
            for f in check.files
        ],
    }


def _print_result(result: dict) -> None:
    if "error" in result:
        return  # already on standard error
    verb = "would approve" if result["dry_run"] else "approved"
    print(
        f"{result['path']}: {result['approved']} {verb}, {result['unchanged']} unchanged, "
        f"{result['not_reviewed']} not reviewed, {result['rejected']} rejected"
    )
    for v in result["variants"]:
        print(
            f"  {v['url']} [{v['source_language']}→{v['language']}]: {v['approved']} {verb}, "
            f"{v['unchanged']} unchanged, {v['not_reviewed']} not reviewed, "
            f"{len(v['rejected'])} rejected"
        )
        if v["error"]:
            print(f"    rejected: {v['error']}")
            continue
        for item in v["rejected"]:
            print(f"    {item['id']}: {item['reason']}")
