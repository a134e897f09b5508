"""Benchmark: our Argos engine vs argostranslate and vs raw CTranslate2.

Builds an Argos-size package (Transformer-base 6+6 layers, d_model 512, ~32k
SentencePiece vocabulary, int8, random weights) and translates 200 news
sentences, grouped in paragraphs as article blocks are, three ways, each in
its own process (clean peak-memory figures, no shared caches):

- ours:   ArgosTranslator.translate_batch on all paragraphs at once;
- argos:  argostranslate.translate's PackageTranslation.translate, paragraph
          by paragraph, with its sentence splitter replaced by ours so it
          runs offline (its default would download a model);
- raw:    ctranslate2.Translator.translate_batch on the same sentences,
          tokenised beforehand, with the same decoding options as ours.

Every figure is a ratio against a baseline measured in the same run.
Usage: python bench/engine_speed.py [--sentences 200] [--repeat 3]
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

BEAM = 2  # our default


def peak_rss_mb() -> float:
    """This process's peak resident memory. ru_maxrss would carry the parent's over exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(kind: str, package: Path, count: int, beam: int) -> dict:
    texts = paragraphs(news_sentences(count))
    if kind == "ours":
        from translator_pipeline.config import ArgosSettings
        from translator_pipeline.engines.argos import ArgosTranslator

        engine = ArgosTranslator(ArgosSettings(packages_dir=package.parent, beam_size=beam))
        engine.translate_batch(["Warm up."], "en", "fr")  # load the model
        start = time.perf_counter()
        out = engine.translate_batch(texts, "en", "fr")
    elif kind == "argos":
        from argostranslate import package as argos_package
        from argostranslate import settings as argos_settings
        from argostranslate import translate as argos_translate

        from translator_pipeline.sentences import split_sentences

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
        import sentencepiece as spm

        from translator_pipeline.sentences import split_sentences

        sp = spm.SentencePieceProcessor(model_file=str(package / "sentencepiece.model"))
        sentences = [s for text in texts for s in split_sentences(text, "en")]
        tokens = [sp.encode(s, out_type=str) for s in sentences]
        translator = ctranslate2.Translator(
            str(package / "model"),
            device="cpu",
            compute_type="auto",
            inter_threads=1,
            intra_threads=0,
        )
        translator.translate_batch([sp.encode("Warm up.", out_type=str)], beam_size=beam)
        longest = max(len(t) for t in tokens)
        start = time.perf_counter()
        results = translator.translate_batch(
            tokens,
            beam_size=beam,
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


def run_worker(kind: str, package: Path, count: int, beam: int, env: dict) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        kind,
        "--package",
        str(package),
        "--sentences",
        str(count),
        "--beam",
        str(beam),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours/raw; best is kept")
    parser.add_argument("--worker")
    parser.add_argument("--package")
    parser.add_argument("--beam", type=int, default=BEAM)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, Path(args.package), args.sentences, args.beam)))
        return

    from translator_pipeline.testing.tiny_argos import build_argos_package

    with tempfile.TemporaryDirectory(prefix="tp-bench-") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ)
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            env[var] = str(tmp_path / var.lower())  # keep argostranslate's dirs out of $HOME
        start = time.perf_counter()
        package = build_argos_package(
            tmp_path / "packages",
            "en",
            "fr",
            layers=6,
            d_model=512,
            heads=8,
            ffn=2048,
            vocab_size=32000,
            quantization="int8",
        )
        size_mb = sum(p.stat().st_size for p in package.rglob("*") if p.is_file()) / 1e6
        print(
            f"built Argos-size en→fr package ({size_mb:.0f} MB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        print(
            f"{args.sentences} sentences in {len(paragraphs(news_sentences(args.sentences)))} "
            f"paragraphs; best of {args.repeat} runs each\n"
        )

        def best(kind: str, beam: int) -> dict:
            # argostranslate takes minutes: it is run once; the fast ones keep their best run.
            repeat = 1 if kind == "argos" else args.repeat
            runs = [run_worker(kind, package, args.sentences, beam, env) for _ in range(repeat)]
            return min(runs, key=lambda r: r["seconds"])

        ours = best("ours", BEAM)
        raw = best("raw", BEAM)
        argos_default = best("argos", 4)  # argostranslate's default beam
        ours_beam4 = best("ours", 4)
        for r in (ours, raw, argos_default, ours_beam4):
            print(f"  {r['kind']:<6} {r['seconds']:7.2f} s  peak {r['peak_mb']:6.0f} MB")
        print()
        print(
            f"ours (beam {BEAM}) vs argostranslate (its defaults, beam 4): "
            f"{argos_default['seconds'] / ours['seconds']:.2f}x faster   (target >= 4x)"
        )
        print(
            f"ours vs argostranslate at the same beam (4):               "
            f"{argos_default['seconds'] / ours_beam4['seconds']:.2f}x faster"
        )
        print(
            f"ours vs raw ctranslate2 translate_batch (same options):   "
            f"{ours['seconds'] / raw['seconds']:.3f}x the time   (target <= 1.15x)"
        )
        mem_ratio = ours["peak_mb"] / argos_default["peak_mb"]
        print(
            f"peak memory: ours {ours['peak_mb']:.0f} MB, argostranslate "
            f"{argos_default['peak_mb']:.0f} MB ({mem_ratio:.2f}x), raw {raw['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
