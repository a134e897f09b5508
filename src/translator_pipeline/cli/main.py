"""``translator-pipeline`` command line: a thin edge over the library and the flow."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from translator_pipeline import __version__
from translator_pipeline.cli.glossary import add_glossary_parser
from translator_pipeline.cli.review import add_review_parser
from translator_pipeline.cli.state import add_events_parser, add_state_parser
from translator_pipeline.errors import ConfigError, GlossaryError, PipelineError

if TYPE_CHECKING:
    from translator_pipeline.models import RunReport

__all__ = ["main", "parse_arguments"]


def _quiet_prefect_defaults() -> None:
    # Keep a one-off run's console readable; explicit settings still win.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _verbosity(args: argparse.Namespace) -> int:
    return getattr(args, "verbose", 0) - (1 if getattr(args, "quiet", False) else 0)


# Exit codes of `run`: 0 every article published, unchanged or skipped
# for a reason of its page; 1 the run failed as a whole; 2 bad config or usage;
# 3 the run completed but articles failed (an unreachable site, storage, the engine);
# 4 everything was published but a webhook receiver refused an event, which holds its
# later events back until it is fixed or skipped (`events skip`).
EXIT_ARTICLES_FAILED = 3
EXIT_WEBHOOK_REFUSED = 4


def _run_flow(
    config: str,
    engine: str | None,
    overrides: dict | None,
    args: argparse.Namespace,
    runner: dict | None = None,
) -> int:
    """Run the flow once; print the summary (a table at a terminal, plain text
    otherwise), the JSON report with ``--json``, nothing with ``--quiet``."""
    from translator_pipeline.config.preflight import check_machine
    from translator_pipeline.config.settings import load_settings

    # A bad config is reported (by main) before Prefect spends seconds starting up,
    # and so is an output that is not this state's (one line, nothing written).
    settings = check_machine(load_settings(config, engine=engine, **(overrides or {})))
    from translator_pipeline.run.ownership import check_output

    try:
        check_output(settings)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _quiet_prefect_defaults()
    from translator_pipeline.run.progress import (
        configure_logging,
        make_progress,
        print_summary,
        use_progress,
    )

    configure_logging(_verbosity(args))  # before the flow module sets Prefect up
    from translator_pipeline.flows import translate_and_publish
    from translator_pipeline.flows.deploy import shared_temporary_server
    from translator_pipeline.flows.server import stop_on_sigterm
    from translator_pipeline.run.report import format_summary, run_report_bytes

    progress = make_progress(quiet=args.quiet, as_json=args.json)
    stop_on_sigterm()  # a TERM-ed run releases its lease and stops what it started
    try:
        # Prefect's temporary server (without PREFECT_API_URL) as a child that dies with
        # this process, even on SIGKILL; Dask workers report to it too.
        with use_progress(progress), shared_temporary_server():
            report = translate_and_publish(
                config_path=config, engine=engine, overrides=overrides, **(runner or {})
            )
    except (ConfigError, GlossaryError) as exc:  # the user's files: fix them, exit 2
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"run failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(run_report_bytes(report).decode("utf-8"))
    elif args.quiet:
        pass
    elif sys.stdout.isatty():
        print_summary(report)
    else:
        print(format_summary(report))
    if report.webhooks_refused:
        for line in report.webhooks_held:
            print(f"webhook: {line}", file=sys.stderr)
    return exit_status(report)


def exit_status(report: RunReport) -> int:
    """The exit status of a run that completed (see the codes above)."""
    if report.count("failed"):
        return EXIT_ARTICLES_FAILED
    if report.webhooks_refused:
        return EXIT_WEBHOOK_REFUSED
    return 0


def _runner_options(args: argparse.Namespace) -> dict:
    """The flow's task-runner parameters from ``--runner`` / ``--dask-address``."""
    if args.dask_address and args.runner == "threads":
        raise ConfigError("--dask-address", [("--dask-address", "cannot go with --runner threads")])
    if args.dask_address or args.runner == "dask":
        return {"runner": "dask", "dask_address": args.dask_address}
    return {}


def cmd_run(args: argparse.Namespace) -> int:
    return _run_flow(args.config, args.engine, None, args, _runner_options(args))


def cmd_serve(args: argparse.Namespace) -> int:
    from translator_pipeline.config.preflight import check_machine
    from translator_pipeline.config.settings import load_settings

    settings = load_settings(args.config, engine=args.engine)  # a bad config: exit 2 first
    check_machine(settings)
    runner = _runner_options(args)
    _quiet_prefect_defaults()
    from translator_pipeline.errors import PrefectServerError
    from translator_pipeline.flows.deploy import serve

    try:
        serve(
            settings,
            name=args.name,
            engine=args.engine,
            runner=runner.get("runner", "threads"),
            dask_address=runner.get("dask_address"),
        )
    except PrefectServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    """Withdraw published articles by URL (their variants, files and feed entries)."""
    from translator_pipeline.config.settings import load_settings
    from translator_pipeline.run.loop import withdraw_urls

    settings = load_settings(args.config)
    try:
        report = withdraw_urls(settings, args.urls, args.reason)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for outcome in report.withdrawn:
        print(f"withdrawn {outcome.url} ({', '.join(outcome.languages)}): {outcome.reason}")
    for url in report.not_published:
        print(f"not published: {url}", file=sys.stderr)
    if report.delivery.errors:
        for error in report.delivery.errors:
            print(f"webhook: {error}", file=sys.stderr)
    return 1 if report.not_published else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from translator_pipeline.cli.demo import find_examples, serve_directory, sources_on
    from translator_pipeline.config.settings import load_settings

    try:
        examples = find_examples()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = examples / "demo.toml"
    overrides = {}
    if args.output:
        out_dir = Path(args.output).resolve()
        overrides = {
            "output_dir": str(out_dir),
            "state_path": str(out_dir / ".state" / "demo.sqlite3"),
        }
    settings = load_settings(config, **overrides)
    engine = args.engine or settings.engine

    def say(text: str) -> None:  # keep stdout to the JSON report with --json
        if not args.quiet:
            print(text, file=sys.stderr if args.json else sys.stdout)

    say(f"translator-pipeline {__version__} demo")
    if args.engine is None and engine == "argos":
        from translator_pipeline.engines import load_engine
        from translator_pipeline.run.stages import missing_pairs

        try:
            missing = missing_pairs(settings, load_engine("argos", settings))
        except PipelineError as exc:
            missing = [str(exc)]
        if missing:
            engine = "pseudo"
            for line in (
                "!" * 72,
                f"!! Argos packages missing for {', '.join(missing)}.",
                "!! Falling back to the PSEUDO engine: the output is NOT a translation.",
                "!! Install models with: translator-pipeline models install ar fr en",
                "!" * 72,
            ):
                print("  " + line, file=sys.stderr if args.json or args.quiet else sys.stdout)
    say(
        f"  engine: {engine}"
        + ("  (PSEUDO-TRANSLATION: not a real translation)" if engine == "pseudo" else "")
    )
    # Serve on the port the config names when it is free, so article URLs (the
    # state's keys) stay the same from one demo run to the next.
    first = settings.sources[0]
    port = urlsplit([*first.start_urls, *first.feeds, *first.sitemaps][0]).port or 0
    with serve_directory(examples / "site", port) as base_url:
        say(f"  serving {examples / 'site'} at {base_url}")
        code = _run_flow(
            str(config),
            engine,
            {**overrides, "sources": sources_on(settings, base_url)},
            args,
        )
    out = Path(settings.output_dir)
    if code == 0:
        say(f"\nPublished variants are under {out}/<lang>/<slug>/index.html")
        for page in sorted(out.glob("*/*/index.html")):
            if not page.relative_to(out).parts[0].startswith("."):  # not the state's review
                say(f"  {page}")
        say(f"Manifest: {out / 'manifest.json'}")
        say(f"Run report: {out / 'run-report.json'}")
    return code


def cmd_config(args: argparse.Namespace) -> int:
    from translator_pipeline.config.preflight import check_machine
    from translator_pipeline.config.settings import load_settings

    settings = check_machine(load_settings(args.config))
    print(json.dumps(settings.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


def cmd_engines(args: argparse.Namespace) -> int:
    from translator_pipeline.engines import available_engines

    for name, where in sorted(available_engines().items()):
        print(f"{name}\t{where}")
    return 0


def _settings_or_none(config: str | None):
    from translator_pipeline.config.settings import load_settings

    return load_settings(config) if config else None


def cmd_translate(args: argparse.Namespace) -> int:
    from translator_pipeline.engines import load_engine
    from translator_pipeline.run.context import load_terminology
    from translator_pipeline.translate.articles import (
        NO_TERMINOLOGY,
        translate_html,
        translate_text,
    )

    settings = _settings_or_none(args.config)
    engine_name = args.engine or (settings.engine if settings else "argos")
    try:
        text = Path(args.file).read_text(encoding="utf-8") if args.file else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    source, target = args.source.lower(), args.target.lower()
    try:
        engine = load_engine(engine_name, settings)
        if source == target:
            sys.stdout.write(text)
            return 0
        if not engine.supports(source, target):
            why = getattr(engine, "route", None)
            reason = why(source, target) if engine_name == "ctranslate2" and why else None
            raise PipelineError(
                f"engine {engine_name!r} cannot translate {source}→{target}"
                + (
                    f"; run: translator-pipeline models install {source} {target}"
                    if engine_name == "argos"
                    else f": {reason}; install a model with: translator-pipeline models "
                    "install PATH (docs/models.md)"
                    if isinstance(reason, str)
                    else ""
                )
            )
        if engine.pseudo:
            print("note: pseudo engine — the output is not a translation", file=sys.stderr)
        terminology = NO_TERMINOLOGY
        if settings is not None and not args.no_glossary:
            terminology = load_terminology(settings)  # GlossaryError names every problem
        events: list = []
        run = translate_html if args.html else translate_text
        sys.stdout.write(run(text, source, target, engine, terminology, events))
        if terminology.glossary or terminology.pinned:
            print(_glossary_note(events), file=sys.stderr)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _glossary_note(events: list) -> str:
    """One line for stderr: what the glossary did to this text."""
    from translator_pipeline.glossary.review import OVERALL, compliance

    total = compliance(events)[OVERALL]
    line = (
        f"glossary: {total.occurrences} term occurrence(s), {total.complied} enforced, "
        f"{total.missed} missed"
    )
    if total.pinned:
        line += f", {total.pinned} pinned segment(s)"
    missed = sorted({e.expected for e in events if e.method != "pinned" and not e.complied})
    if missed:
        line += " — missed: " + "; ".join(missed)
    return line


def _packages_dir(args: argparse.Namespace) -> Path:
    from translator_pipeline.engines.argos_packages import default_packages_dir

    if args.packages_dir:
        return Path(args.packages_dir)
    settings = _settings_or_none(args.config)
    return default_packages_dir(settings.argos.packages_dir if settings else None)


def _models_dir(args: argparse.Namespace, settings) -> Path:
    from translator_pipeline.engines.ct2_models import default_models_dir

    if args.models_dir:
        return Path(args.models_dir)
    return default_models_dir(settings.engines.ctranslate2.models_dir if settings else None)


def _looks_like_path(value: str) -> bool:
    return os.sep in value or "/" in value or "." in value or Path(value).exists()


def _install_model(args: argparse.Namespace, settings) -> int:
    """``models install PATH``: a converted CTranslate2 model (directory or archive)."""
    from translator_pipeline.engines.ct2_models import install_model

    models_dir = _models_dir(args, settings)
    model = install_model(
        Path(args.languages[0]),
        models_dir,
        name=args.name,
        source=args.model_from,
        target=args.model_to,
        license=args.license,
    )
    pairs = sorted(f"{s}→{t}" for s in model.sources for t in model.targets if s != t)
    shown = ", ".join(pairs[:12]) + (f" … ({len(pairs)} pairs)" if len(pairs) > 12 else "")
    print(f"installed {model.name} ({model.family}, {shown}) in {models_dir}")
    return 0


def _list_models(args: argparse.Namespace, settings, languages: list[str]) -> int:
    """The converted models, then which model serves each pair (the ctranslate2 engine's routes)."""
    from translator_pipeline.engines.ct2 import CTranslate2Translator

    engine = CTranslate2Translator(
        settings.engines.ctranslate2.model_copy(update={"models_dir": _models_dir(args, settings)})
        if settings
        else _ct2_options(args),
        _argos_options(args, settings),
    )
    print(f"CTranslate2 models in {engine.models_dir}:")
    for model in engine.models.values():
        langs = sorted(set(model.sources) | set(model.targets))
        shown = ",".join(langs[:10]) + (f",… ({len(langs)})" if len(langs) > 10 else "")
        extra = f"  licence {model.license}" if model.license else ""
        print(f"  {model.name:<28} {model.family:<7} {shown}  @{model.version}{extra}")
    if not engine.models:
        print("  (none)")
    for problem in engine.problems:
        print(f"  BROKEN {problem.path.name}: {problem.reason}")
    missing = 0
    if len(languages) > 1:
        print(f"Routes (engine ctranslate2) for {', '.join(languages)}:")
    for src in languages:
        for tgt in languages:
            if src == tgt:
                continue
            line = engine.describe_route(src, tgt)
            missing += line.startswith("MISSING")
            print(f"  {src}→{tgt}: {line}")
    return 1 if missing else 0


def _ct2_options(args: argparse.Namespace):
    from translator_pipeline.config.settings import CTranslate2Settings

    return CTranslate2Settings(models_dir=_models_dir(args, None))


def _argos_options(args: argparse.Namespace, settings):
    from translator_pipeline.config.settings import ArgosSettings

    argos = settings.argos if settings else ArgosSettings()
    return argos.model_copy(update={"packages_dir": _packages_dir(args)})


def cmd_models(args: argparse.Namespace) -> int:
    from translator_pipeline.engines.argos_packages import (
        best_by_pair,
        find_packages,
        install_from_file,
        install_from_url,
        install_pairs,
        remove_package,
        route,
    )
    from translator_pipeline.engines.ct2_models import find_models, remove_model

    directory = _packages_dir(args)
    settings = _settings_or_none(args.config)
    pivot = settings.argos.pivot_language if settings else "en"
    try:
        if args.action == "install":
            if (
                not args.file
                and not args.url
                and len(args.languages) == 1
                and _looks_like_path(args.languages[0])
            ):
                return _install_model(args, settings)
            if args.file:
                installed = [install_from_file(Path(args.file), directory)]
            elif args.url:
                installed = [install_from_url(args.url, directory)]
            else:
                languages = [c.lower() for c in args.languages] or (
                    settings.target_languages if settings else []
                )
                if len(languages) < 2:
                    print(
                        "error: name at least two languages (e.g. `models install en ar`), "
                        "a converted model (`models install PATH`), or give --file / --url",
                        file=sys.stderr,
                    )
                    return 2
                index = args.index or (settings.argos.package_index if settings else None)
                installed = install_pairs(languages, directory, index, pivot)
            for pkg in installed:
                print(f"installed {pkg.label} in {directory}")
            return 0
        packages, problems = find_packages(directory)
        models_dir = _models_dir(args, settings)
        models, _ = find_models(models_dir)
        if args.action == "remove":
            wanted = [c.lower() for c in args.languages]
            doomed = [
                p
                for p in packages
                if p.name in args.languages
                or (len(wanted) == 2 and (p.from_code, p.to_code) == tuple(wanted))
            ]
            doomed_models = [m for m in models if m.name in args.languages]
            if not doomed and not doomed_models:
                print(
                    f"error: no installed package matches {' '.join(args.languages)} "
                    f"in {directory} (nor any converted model in {models_dir})",
                    file=sys.stderr,
                )
                return 1
            for pkg in doomed:
                remove_package(pkg)
                print(f"removed {pkg.label}")
            for model in doomed_models:
                remove_model(model)
                print(f"removed {model.name} ({model.family})")
            return 0
        # list
        print(f"Argos packages in {directory}:")
        for pkg in packages:
            print(f"  {pkg.from_code}→{pkg.to_code}  {pkg.version:<8} {pkg.name}")
        if not packages:
            print("  (none)")
        for problem in problems:
            print(f"  BROKEN {problem.path.name}: {problem.reason}")
        languages = [c.lower() for c in args.languages] or (
            settings.target_languages
            if settings
            else sorted({p.from_code for p in packages} | {p.to_code for p in packages})
        )
        if models or (settings and settings.engine == "ctranslate2"):
            if not args.languages and not settings:
                # A multilingual model knows hundreds of languages: list the routes of
                # the languages the Argos packages and bilingual models cover.
                languages = (
                    sorted(
                        {p.from_code for p in packages}
                        | {p.to_code for p in packages}
                        | {
                            c
                            for m in models
                            if not m.multilingual
                            for c in (*m.sources, *m.targets)
                        }
                    )
                    or sorted({c for m in models for c in m.targets})[:8]
                )
            return _list_models(args, settings, languages)
        pairs = best_by_pair(packages)
        missing = 0
        if len(languages) > 1:
            print(f"Pairs for {', '.join(languages)}:")
        for src in languages:
            for tgt in languages:
                if src == tgt:
                    continue
                hops = route(pairs, src, tgt, pivot)
                if hops is None:
                    missing += 1
                    state = f"MISSING (translator-pipeline models install {src} {tgt})"
                elif len(hops) == 1:
                    state = "direct"
                else:
                    state = f"pivot via {pivot}"
                print(f"  {src}→{tgt}: {state}")
        return 1 if missing else 0
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_detect(args: argparse.Namespace) -> int:
    from translator_pipeline.language.langid import LanguageDetector

    settings = _settings_or_none(args.config)
    if args.languages:
        languages = tuple(c.strip().lower() for c in args.languages.split(",") if c.strip())
    elif settings is not None:
        languages = tuple(dict.fromkeys([*settings.translate_from, *settings.target_languages]))
    else:
        languages = ("ar", "fr", "en")
    detector = LanguageDetector(languages)

    def emit(text: str, **where: object) -> None:
        guess = detector.detect(text)
        record = {
            **where,
            "language": guess.language,
            "confidence": guess.confidence,
            "script": guess.script,
        }
        print(json.dumps(record, ensure_ascii=False))

    if not args.files:
        for number, line in enumerate(sys.stdin, 1):
            emit(line.rstrip("\n"), line=number)
        return 0
    code = 0
    for name in args.files:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(json.dumps({"file": name, "error": str(exc)}, ensure_ascii=False))
            code = 1
            continue
        emit(text, file=name)
    return code


def _add_runner_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runner",
        choices=["threads", "dask"],
        help="where translation tasks run: this process's threads (default) or Dask "
        "(a local cluster of 2 processes, or --dask-address)",
    )
    parser.add_argument(
        "--dask-address",
        metavar="tcp://HOST:8786",
        help="scheduler of an existing Dask cluster (implies --runner dask)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print the run report (run-report.json) on stdout"
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bars, no summary; only warnings and errors (for cron)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="more log output: -v shows Prefect's own INFO records, -vv debug",
    )


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
    _add_output_options(run)
    _add_runner_options(run)
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser(
        "serve",
        help="run the flow on the config's schedule (needs a Prefect server: PREFECT_API_URL)",
        description="Serve translate-and-publish on the config's cron `schedule` (in its "
        "`timezone`), one run at a time, until Ctrl-C; the schedule stays active when this "
        "stops. Needs `prefect server start` and PREFECT_API_URL=http://127.0.0.1:4200/api.",
    )
    serve.add_argument("--config", required=True, help="TOML config file")
    serve.add_argument(
        "--name", help="deployment name (default: the config file's name without .toml)"
    )
    serve.add_argument("--engine", help="translation engine (overrides the config)")
    _add_runner_options(serve)
    serve.set_defaults(func=cmd_serve)

    withdraw = sub.add_parser(
        "withdraw",
        help="withdraw published articles: their variants, files and feed entries "
        "(variant.removed events are sent)",
    )
    withdraw.add_argument("--config", required=True, help="TOML config file")
    withdraw.add_argument("urls", nargs="+", metavar="URL", help="original article URL")
    withdraw.add_argument(
        "--reason", default="withdrawn by ops", help="recorded with each withdrawal"
    )
    withdraw.set_defaults(func=cmd_withdraw)

    demo = sub.add_parser("demo", help="serve the bundled demo site and run the pipeline on it")
    demo.add_argument("--engine", help="translation engine (default: the one in demo.toml)")
    _add_output_options(demo)
    demo.add_argument("--output", help="output directory (default: public/ in the checkout)")
    demo.set_defaults(func=cmd_demo)

    check = sub.add_parser("config", help="validate a config file and print the result")
    check.add_argument("config")
    check.set_defaults(func=cmd_config)

    tr = sub.add_parser("translate", help="translate one text or HTML document (stdin → stdout)")
    tr.add_argument("--from", dest="source", required=True, help="source language code")
    tr.add_argument("--to", dest="target", required=True, help="target language code")
    tr.add_argument("--html", action="store_true", help="input is HTML: keep its markup")
    tr.add_argument("--engine", help="translation engine (default: the config's, else argos)")
    tr.add_argument(
        "--config", help="TOML config file (engine, Argos options, and its glossary is applied)"
    )
    tr.add_argument("--no-glossary", action="store_true", help="do not apply the config's glossary")
    tr.add_argument("file", nargs="?", help="input file (default: standard input)")
    tr.set_defaults(func=cmd_translate)

    det = sub.add_parser(
        "detect", help="language of each input line (stdin) or file, as JSON lines"
    )
    det.add_argument("files", nargs="*", help="files (default: each line of standard input)")
    det.add_argument("--languages", help="deployment languages, e.g. ar,fr,en")
    det.add_argument("--config", help="TOML config file (its languages)")
    det.set_defaults(func=cmd_detect, trailing="files")

    models = sub.add_parser(
        "models",
        help="list, install or remove translation models (Argos packages, converted "
        "CTranslate2 models)",
        description="install LANG LANG…: Argos packages from the index; install PATH: a "
        "converted CTranslate2 model (directory, .zip or .tar.gz; see docs/models.md); "
        "list: installed models and which one serves each pair; remove NAME or FROM TO.",
    )
    models.add_argument("action", choices=["list", "install", "remove"])
    models.add_argument(
        "languages",
        nargs="*",
        help="language codes (install/list), a converted model's PATH (install), or a "
        "package or model name (remove)",
    )
    models.add_argument("--name", help="install PATH: the model's name (default: its directory)")
    models.add_argument(
        "--from", dest="model_from", help="install PATH: source language of an OPUS-MT model"
    )
    models.add_argument(
        "--to", dest="model_to", help="install PATH: target language of an OPUS-MT model"
    )
    models.add_argument("--license", help="install PATH: licence to record (e.g. CC-BY-4.0)")
    models.add_argument(
        "--models-dir",
        help="converted models directory (default: the config's [engines.ctranslate2] "
        "models_dir, else $XDG_DATA_HOME/translator-pipeline/models)",
    )
    models.add_argument("--file", help="install from a .argosmodel file")
    models.add_argument("--url", help="install from a .argosmodel URL")
    models.add_argument("--index", help="package index URL (default: argostranslate's)")
    models.add_argument("--config", help="TOML config file (packages dir, target languages)")
    models.add_argument("--packages-dir", help="package directory (default: $ARGOS_PACKAGES_DIR …)")
    models.set_defaults(func=cmd_models, trailing="languages")

    engines = sub.add_parser("engines", help="list the translation engines available")
    engines.set_defaults(func=cmd_engines)

    add_glossary_parser(sub)
    add_review_parser(sub)
    add_state_parser(sub)
    add_events_parser(sub)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line parsed; exits 2 with argparse's message when it is wrong.

    argparse cannot take a list of positionals after an option (`models list --config
    FILE ar fr en`): commands ending with such a list (``trailing``) get the words left.
    """
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    trailing = getattr(args, "trailing", None)
    if extra and trailing and not any(word.startswith("-") for word in extra):
        getattr(args, trailing).extend(extra)
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:  # every command: the problems, file:key, then exit 2
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
