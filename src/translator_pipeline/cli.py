"""``translator-pipeline`` command line: a thin edge over the library and the flow."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .errors import ConfigError, PipelineError

__all__ = ["main"]


def _quiet_prefect_defaults() -> None:
    # Keep a one-off run's console readable; explicit settings still win.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _run_flow(config: str, engine: str | None, overrides: dict | None, as_json: bool) -> int:
    from .config import load_settings

    try:  # a bad config is reported before Prefect spends seconds starting up
        load_settings(config, engine=engine, **(overrides or {}))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    _quiet_prefect_defaults()
    from .flows import translate_and_publish
    from .report import report_json

    try:
        report = translate_and_publish(config_path=config, engine=engine, overrides=overrides)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"run failed: {exc}", file=sys.stderr)
        return 1
    if as_json:
        print(report_json(report))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return _run_flow(args.config, args.engine, None, args.json)


def cmd_demo(args: argparse.Namespace) -> int:
    from .config import load_settings
    from .demo import find_examples, serve_directory, sources_on

    try:
        examples = find_examples()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = examples / "demo.toml"
    try:
        settings = load_settings(config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    engine = args.engine or settings.engine
    print(f"translator-pipeline {__version__} demo")
    print(
        f"  engine: {engine}"
        + ("  (PSEUDO-TRANSLATION: not a real translation)" if engine == "pseudo" else "")
    )
    # Serve on the port the config names when it is free, so article URLs (the
    # state's keys) stay the same from one demo run to the next.
    port = urlsplit(settings.sources[0].start_urls[0]).port or 0
    with serve_directory(examples / "site", port) as base_url:
        print(f"  serving {examples / 'site'} at {base_url}")
        code = _run_flow(
            str(config), engine, {"sources": sources_on(settings, base_url)}, args.json
        )
    out = Path(settings.output_dir)
    if code == 0:
        print(f"\nPublished variants are under {out}/<lang>/<slug>/index.html")
        for page in sorted(out.glob("*/*/index.html")):
            print(f"  {page}")
        print(f"Manifest: {out / 'manifest.json'}")
    return code


def cmd_config(args: argparse.Namespace) -> int:
    from .config import load_settings

    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(settings.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


def cmd_engines(args: argparse.Namespace) -> int:
    from .engines import available_engines

    for name, where in sorted(available_engines().items()):
        print(f"{name}\t{where}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator-pipeline",
        description="Offline, reviewable machine translation of institutional news sites.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the pipeline once (through the Prefect flow)")
    run.add_argument("--config", required=True, help="TOML config file")
    run.add_argument("--engine", help="translation engine (overrides the config)")
    run.add_argument("--json", action="store_true", help="print the run report as JSON")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="serve the bundled demo site and run the pipeline on it")
    demo.add_argument("--engine", help="translation engine (default: the one in demo.toml)")
    demo.add_argument("--json", action="store_true", help="print the run report as JSON")
    demo.set_defaults(func=cmd_demo)

    check = sub.add_parser("config", help="validate a config file and print the result")
    check.add_argument("config")
    check.set_defaults(func=cmd_config)

    engines = sub.add_parser("engines", help="list the translation engines available")
    engines.set_defaults(func=cmd_engines)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
