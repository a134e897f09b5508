"""``translator-pipeline glossary check|export|import``: the glossary from the shell.

Exit status: 0 when all is well (warnings alone do not fail), 1 when the
glossary or the TBX file has errors (they are listed), 2 for a bad ``--config``
(reported by :func:`.cli.main`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["DEFAULT_GLOSSARY", "add_glossary_parser"]

DEFAULT_GLOSSARY = Path("glossaries") / "institutional.csv"


def add_glossary_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``glossary`` and its actions on the top-level subparsers."""
    glossary = subparsers.add_parser(
        "glossary", help="check the institutional glossary, or convert it to and from TBX"
    )
    actions = glossary.add_subparsers(dest="glossary_action", required=True)

    def common(parser: argparse.ArgumentParser, what: str) -> None:
        parser.add_argument(
            "--config", help=f"TOML config file whose glossary is the {what} (when none is named)"
        )

    check = actions.add_parser(
        "check", help="list a glossary's errors (exit 1) and warnings, with line numbers"
    )
    check.add_argument("path", nargs="?", help=f"glossary CSV (default: {DEFAULT_GLOSSARY})")
    common(check, "one checked")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument(
        "-v", "--verbose", action="store_true", help="also list how nested terms are resolved"
    )
    check.set_defaults(func=cmd_glossary_check)

    export = actions.add_parser("export", help="write the glossary as TBX for CAT tools")
    export.add_argument("path", nargs="?", help=f"glossary CSV (default: {DEFAULT_GLOSSARY})")
    export.add_argument(
        "--format",
        choices=["tbx", "tbx3"],
        default="tbx",
        help="tbx: TBX-Basic as TBX v2 <martif> (read by most CAT tools); "
        "tbx3: TBX v3 <tbx> (ISO 30042:2019)",
    )
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    common(export, "one exported")
    export.set_defaults(func=cmd_glossary_export)

    imp = actions.add_parser(
        "import", help="merge a TBX file into the glossary CSV (by concept id)"
    )
    imp.add_argument("file", help="TBX file (v2 <martif> or v3 <tbx>)")
    imp.add_argument("--into", help=f"glossary CSV to update (default: {DEFAULT_GLOSSARY})")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="write exactly the TBX's concepts instead of merging (drops rows and comments)",
    )
    common(imp, "one updated")
    imp.set_defaults(func=cmd_glossary_import)


def _glossary_path(path: str | None, config: str | None) -> Path:
    """The named file, else the config's glossary, else the default location."""
    if path:
        return Path(path)
    if config:
        from translator_pipeline.config.settings import load_settings

        configured = _configured_glossary(load_settings(config))  # ConfigError → exit 2
        if configured is not None:
            return configured
    return DEFAULT_GLOSSARY


def _configured_glossary(settings: object) -> Path | None:
    """``[glossary] path`` of the settings (already resolved against the config's folder)."""
    path = getattr(getattr(settings, "glossary", None), "path", None)
    return Path(path) if path else None


def _split(message: str, path: str) -> dict[str, object]:
    """``path:line: text`` → ``{"line": line, "message": text}`` for JSON output."""
    rest = message[len(path) + 1 :] if message.startswith(path + ":") else message
    number, sep, text = rest.partition(": ")
    if sep and number.isdigit():
        return {"line": int(number), "message": text}
    return {"line": None, "message": rest.lstrip()}


def cmd_glossary_check(args: argparse.Namespace) -> int:
    from translator_pipeline.glossary.check import check_glossary

    path = _glossary_path(args.path, args.config)
    result = check_glossary(path)
    if args.json:
        where = str(path)
        record = {
            "path": where,
            "ok": result.ok,
            "concepts": len(result.concepts),
            "errors": [_split(m, where) for m in result.errors],
            "warnings": [_split(m, where) for m in result.warnings],
            "info": [_split(m, where) for m in result.info],
        }
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return 0 if result.ok else 1
    print(
        f"{path}: {len(result.concepts)} concept(s), {len(result.errors)} error(s), "
        f"{len(result.warnings)} warning(s)"
    )
    sections = [("Errors", result.errors), ("Warnings", result.warnings)]
    if args.verbose:
        sections.append(("Info", result.info))
    for title, messages in sections:
        if messages:
            print(f"{title}:")
            for message in messages:
                print(f"  {message}")
    if result.info and not args.verbose:
        print(f"({len(result.info)} note(s) on nested terms: --verbose shows them)")
    return 0 if result.ok else 1


def _fail(exc: Exception) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return 1


def cmd_glossary_export(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import GlossaryError, PublishError
    from translator_pipeline.glossary.tbx import export_tbx

    path = _glossary_path(args.path, args.config)
    try:
        data = export_tbx(path, version=3 if args.format == "tbx3" else 2)
    except GlossaryError as exc:
        return _fail(exc)
    if not args.output:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    from translator_pipeline.files import write_atomic

    try:
        write_atomic(Path(args.output), data)
    except PublishError as exc:
        return _fail(exc)
    print(f"{path} → {args.output} ({args.format})", file=sys.stderr)
    return 0


def cmd_glossary_import(args: argparse.Namespace) -> int:
    from translator_pipeline.errors import GlossaryError
    from translator_pipeline.glossary.tbx import import_tbx

    into = _glossary_path(args.into, args.config)
    try:
        result = import_tbx(args.file, into, replace=args.replace)
    except GlossaryError as exc:
        return _fail(exc)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    done = "written" if result.written else "unchanged, nothing written"
    print(
        f"{args.file} → {into}: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.kept} not in the TBX and kept ({done})"
    )
    return 0
