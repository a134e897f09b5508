"""Benchmark: our Argos engine vs argostranslate and vs raw CTranslate2.

Builds an Argos-size package (Transformer-base: 6+6 layers, d_model 512, tied
embeddings, ~32k vocabulary, int8, random weights; ``--layout`` picks the
shared-SentencePiece, Opus-MT SentencePiece or BPE layout) and translates 200
news sentences, grouped in paragraphs as article blocks are, three ways, each
in its own process (clean peak-memory figures, no shared caches):

- ours:   ArgosTranslator.translate_batch on all paragraphs at once;
- argos:  argostranslate.translate's PackageTranslation.translate, paragraph
          by paragraph, with its sentence splitter replaced by ours so it
          runs offline (its default would download a model);
- raw:    ctranslate2.Translator.translate_batch on the same sentences,
          tokenised beforehand, with the same decoding options as ours.

Two decoding settings: argostranslate's (beam 4, length penalty 0.2, our
default) and a fast one (beam 2, length penalty 1). argostranslate always uses
length penalty 0.2; at beam 2 its ``settings.beam_size`` is set to 2. Our repetition
guard stays on (it re-decodes only looping outputs; the ratio against raw
includes its cost).

Every figure is a ratio against a baseline measured in the same run.
Usage: python bench/engine_speed.py [--sentences 200] [--repeat 3] [--layout argos]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from news_corpus import news_sentences, paragraphs

SETTINGS = {"argos": (4, 0.2), "fast": (2, 1.0)}  # name: (beam, length penalty)


def peak_rss_mb() -> float:
    """This process's peak resident memory. ru_maxrss would carry the parent's over exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, package: Path, count: int, beam: int, penalty: float) -> dict:
    texts = paragraphs(news_sentences(count))
    if kind == "ours":
        from translator_pipeline.config.settings import ArgosSettings
        from translator_pipeline.engines.argos import ArgosTranslator

        engine = ArgosTranslator(
            ArgosSettings(packages_dir=package.parent, beam_size=beam, length_penalty=penalty)
        )
        engine.translate_batch(["Warm up."], "en", "fr")  # load the model
        start = time.perf_counter()
        out = engine.translate_batch(texts, "en", "fr")
    elif kind == "argos":
        from argostranslate import package as argos_package
        from argostranslate import settings as argos_settings
        from argostranslate import translate as argos_translate

        from translator_pipeline.engines.sentences import split_sentences

        class OurSplitter:
            def split_sentences(self, text: str) -> list[str]:
                return split_sentences(text, "en")

        argos_settings.beam_size = beam
        pkg = argos_package.Package(package)
        translation = argos_translate.PackageTranslation(
            argos_translate.Language("en", "English"),
            argos_translate.Language("fr", "French"),
            pkg,
        )
        translation.sentencizer = OurSplitter()
        translation.translate("Warm up.")
        start = time.perf_counter()
        out = [translation.translate(text) for text in texts]
    elif kind == "raw":
        import ctranslate2
        from argostranslate import package as argos_package

        from translator_pipeline.engines.sentences import split_sentences

        tokenizer = argos_package.Package(package).tokenizer
        sentences = [s for text in texts for s in split_sentences(text, "en")]
        tokens = [tokenizer.encode(s) for s in sentences]
        translator = ctranslate2.Translator(
            str(package / "model"),
            device="cpu",
            compute_type="auto",
            inter_threads=1,
            intra_threads=0,
        )
        translator.translate_batch([tokenizer.encode("Warm up.")], beam_size=beam)
        longest = max(len(t) for t in tokens)
        start = time.perf_counter()
        results = translator.translate_batch(
            tokens,
            beam_size=beam,
            length_penalty=penalty,
            max_batch_size=2048,
            batch_type="tokens",
            max_decoding_length=int(longest * 2.0) + 10,
            replace_unknowns=True,
        )
        out = [r.hypotheses[0] for r in results]
    else:
        raise SystemExit(f"unknown worker {kind}")
    seconds = time.perf_counter() - start
    peak_mb = peak_rss_mb()
    return {"kind": kind, "seconds": seconds, "peak_mb": peak_mb, "outputs": len(out)}


def run_worker(kind: str, package: Path, count: int, setting: str, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--package", str(package)]
    cmd += ["--sentences", str(count), "--setting", setting]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours/raw; best is kept")
    parser.add_argument("--layout", default="argos", choices=["argos", "opus-sp", "opus-bpe"])
    parser.add_argument("--worker")
    parser.add_argument("--package")
    parser.add_argument("--setting", default="argos", choices=list(SETTINGS))
    args = parser.parse_args()
    if args.worker:
        beam, penalty = SETTINGS[args.setting]
        result = worker(args.worker, Path(args.package), args.sentences, beam, penalty)
        print(json.dumps(result))
        return

    from translator_pipeline.testing.tiny_argos import build_argos_package

    with tempfile.TemporaryDirectory(prefix="tp-bench-") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ)
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            env[var] = str(tmp_path / var.lower())  # keep argostranslate's dirs out of $HOME
        start = time.perf_counter()
        package = build_argos_package(
            tmp_path / "packages", "en", "fr", real_shape=True, quantization="int8",
            layout=args.layout,
        )  # fmt: skip
        size_mb = sum(p.stat().st_size for p in package.rglob("*") if p.is_file()) / 1e6
        print(
            f"built Argos-size en→fr package, layout {args.layout} ({size_mb:.0f} MB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        print(
            f"{args.sentences} sentences in {len(paragraphs(news_sentences(args.sentences)))} "
            f"paragraphs; best of {args.repeat} runs each (argostranslate: one run)\n"
        )

        def best(kind: str, setting: str) -> dict:
            # argostranslate takes minutes: it is run once; the fast ones keep their best run.
            repeat = 1 if kind == "argos" else args.repeat
            runs = [run_worker(kind, package, args.sentences, setting, env) for _ in range(repeat)]
            return min(runs, key=lambda r: r["seconds"])

        figures = {}
        for setting, (beam, penalty) in SETTINGS.items():
            row = {kind: best(kind, setting) for kind in ("ours", "raw", "argos")}
            figures[setting] = row
            print(f"decoding {setting}: beam {beam}, length penalty {penalty}")
            for r in row.values():
                rate = args.sentences / r["seconds"]
                print(
                    f"  {r['kind']:<6} {r['seconds']:7.2f} s  {rate:7.1f} segments/s  "
                    f"peak {r['peak_mb']:6.0f} MB"
                )
            print(
                f"  ours vs argostranslate: {row['argos']['seconds'] / row['ours']['seconds']:.2f}x"
                f" faster (goal >= 4x)"
            )
            print(
                f"  ours vs raw ctranslate2: {row['ours']['seconds'] / row['raw']['seconds']:.3f}x"
                f" the time (goal <= 1.15x)\n"
            )
        ours, argos = figures["fast"]["ours"], figures["argos"]["argos"]
        print(
            f"ours fast (beam 2) vs argostranslate at its defaults (beam 4): "
            f"{argos['seconds'] / ours['seconds']:.2f}x faster"
        )
        mem = figures["argos"]
        print(
            f"peak memory (argos decoding): ours {mem['ours']['peak_mb']:.0f} MB, argostranslate "
            f"{mem['argos']['peak_mb']:.0f} MB, raw {mem['raw']['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
