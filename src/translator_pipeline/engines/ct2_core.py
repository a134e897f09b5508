"""What every CTranslate2-backed engine shares: loading, batching, decoding, guarding.

An engine (Argos packages, converted OPUS-MT / NLLB / M2M-100 / MADLAD models)
turns a language pair into a list of :class:`Hop` objects (one, or two through a
pivot). A hop names a CTranslate2 model directory, how to tokenise for it
(a :class:`~translator_pipeline.engines.argos_tokens.Codec`), the language
tokens its family wants around the source and at the start of the target, and
its decoding settings. :class:`CTranslate2Core` then does the rest the same way
for every family:

* every sentence of every text goes to CTranslate2 in one ``translate_batch``
  call per hop (token-based batches), duplicates once, sentences longer than
  the model's input limit cut between words;
* decoding settings per hop; a repetition guard re-decodes only the sentences
  whose output loops or runs to the length limit;
* scores (mean token log-probability, length penalty undone; through a pivot,
  the weaker hop's) for the quality gate;
* one ``ctranslate2.Translator`` per model per process, on the device and
  compute type the settings ask for (``auto`` falls back to the CPU with a warning).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translator_pipeline.engines.argos_tokens import Codec
from translator_pipeline.engines.sentences import split_with_spacing
from translator_pipeline.errors import EngineError
from translator_pipeline.html.placeholders import PLACEHOLDER as _PLACEHOLDER

__all__ = [
    "CTranslate2Core",
    "Decoding",
    "Hop",
    "Runtime",
    "RuntimeOptions",
    "resolve_device",
]

log = logging.getLogger(__name__)

# Decoding for the sentences the repetition guard re-translates.
GUARD_REPETITION_PENALTY = 1.2
GUARD_NO_REPEAT_NGRAM = 3


@dataclass(frozen=True)
class Runtime:
    """Where CTranslate2 runs, as resolved when the first model loaded."""

    device: str
    device_index: tuple[int, ...]
    compute_type: str

    def __str__(self) -> str:
        index = ",".join(map(str, self.device_index))
        where = self.device if self.device == "cpu" else f"{self.device}:{index}"
        return f"{where};{self.compute_type}"


@dataclass(frozen=True)
class RuntimeOptions:
    """How models are loaded (shared by every model of one engine)."""

    device: str | None = None
    compute_type: str = "auto"
    inter_threads: int = 1
    intra_threads: int = 0


@dataclass(frozen=True)
class Decoding:
    """How one model decodes; part of every signature of a pair it serves."""

    beam_size: int = 4
    length_penalty: float = 0.2
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    repetition_guard: bool = True
    max_batch_tokens: int = 2048
    max_input_tokens: int = 200
    max_decoding_ratio: float = 2.0
    max_decoding_extra: int = 10

    def describe(self) -> str:
        text = f"beam={self.beam_size};lp={self.length_penalty:g};max_in={self.max_input_tokens}"
        if self.repetition_penalty != 1.0 or self.no_repeat_ngram_size:
            text += f";rep={self.repetition_penalty:g};nrng={self.no_repeat_ngram_size}"
        if self.repetition_guard:
            text += ";guard"
        return text

    def length_limit(self, source_tokens: int) -> int:
        return int(source_tokens * self.max_decoding_ratio) + self.max_decoding_extra


@dataclass(frozen=True)
class Hop:
    """One model taking ``source`` to ``target``.

    ``source_prefix``/``source_suffix`` wrap every (cut) sentence's tokens, e.g.
    NLLB's ``eng_Latn`` … ``</s>`` or MADLAD's ``<2ar>`` … ``</s>``;
    ``target_prefix`` starts the output (NLLB's ``arb_Arab``, Argos' ``__ar__``) and
    is dropped from it. ``key`` identifies the model for caching (its directory).
    """

    key: Path
    model_dir: Path
    label: str
    source: str
    target: str
    codec: Callable[[], Codec] = field(compare=False, repr=False)
    decoding: Decoding = Decoding()
    source_prefix: tuple[str, ...] = ()
    source_suffix: tuple[str, ...] = ()
    target_prefix: tuple[str, ...] = ()


def resolve_device(setting: str | None) -> tuple[str, tuple[int, ...]]:
    """``(device, indices)`` from the config value, else ``$ARGOS_DEVICE_TYPE``, else CPU.

    ``auto`` stays ``auto`` (decided when a model loads); ``cuda:1`` and
    ``cuda:0,1`` choose devices.
    """
    value = setting
    if value is None:
        env = os.environ.get("ARGOS_DEVICE_TYPE", "").strip().lower()
        if env and not re.fullmatch(r"cpu|auto|cuda(:[0-9]+(,[0-9]+)*)?", env):
            log.warning("ARGOS_DEVICE_TYPE=%r is not cpu, cuda or auto; using cpu", env)
            env = ""
        value = env or "cpu"
    device, _, index = value.partition(":")
    return device, tuple(int(i) for i in index.split(",")) if index else (0,)


class CTranslate2Core:
    """Translates through a list of hops; models and tokenizers loaded once each."""

    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        #: model key → ctranslate2.Translator (tests may swap one for a spy)
        self.translators: dict[Path, Any] = {}
        self._codecs: dict[Path, Codec] = {}
        self._runtime: Runtime | None = None
        self._lock = threading.Lock()

    # --- what engines call ----------------------------------------------------

    def translate_scored(
        self, texts: Sequence[str], hops: Sequence[Hop]
    ) -> list[tuple[str, float | None]]:
        """Each text through every hop, with the weakest hop's mean token log-probability."""
        out = list(texts)
        scores: list[float | None] = [None] * len(out)
        for hop in hops:
            hop_scores: list[float | None] = []
            out = [o[0] for o in self.translate_nbest(out, hop, 1, hop_scores)]
            scores = [
                h if s is None else (s if h is None else min(s, h))
                for s, h in zip(scores, hop_scores, strict=True)
            ]
        return list(zip(out, scores, strict=True))

    def alternatives(self, texts: Sequence[str], hops: Sequence[Hop], n: int) -> list[list[str]]:
        """Up to ``n`` translations of each text, the best first (n-best on the last hop).

        The second is built sentence by sentence from the first hypothesis that keeps
        the sentence's placeholders (``<g1>``, ``<x2/>``) exactly; the others take
        every sentence's k-th hypothesis.
        """
        out = list(texts)
        for hop in hops[:-1]:
            out = [o[0] for o in self.translate_nbest(out, hop, 1)]
        last = hops[-1]
        n = max(1, min(n, last.decoding.beam_size))
        return self.translate_nbest(out, last, n)

    def runtime(self, hop: Hop) -> Runtime:
        """Device and compute type (loads ``hop``'s model if nothing is known yet)."""
        if self._runtime is None or self.options.compute_type == "default":
            translator = self.translator(hop)
            return Runtime(
                str(translator.device), tuple(translator.device_index), translator.compute_type
            )
        return self._runtime

    # --- loading --------------------------------------------------------------

    def translator(self, hop: Hop) -> Any:
        with self._lock:
            found = self.translators.get(hop.key)
            if found is None:
                found = self._load(hop)
                self.translators[hop.key] = found
                if self._runtime is None:
                    self._runtime = Runtime(
                        str(found.device), tuple(found.device_index), found.compute_type
                    )
            return found

    def _load(self, hop: Hop) -> Any:
        import ctranslate2

        o = self.options
        device, index = resolve_device(o.device)
        if self._runtime is not None:  # every model runs where the first one does
            device, index = self._runtime.device, self._runtime.device_index

        def load(on: str) -> Any:
            return ctranslate2.Translator(
                str(hop.model_dir),
                device=on,
                device_index=list(index) if on == "cuda" else 0,
                compute_type=o.compute_type,
                inter_threads=o.inter_threads,
                intra_threads=o.intra_threads,
            )

        try:
            if device != "auto":
                return load(device)
            if ctranslate2.get_cuda_device_count() > 0:
                try:
                    return load("cuda")
                except (RuntimeError, ValueError) as exc:
                    log.warning(
                        "device = auto: CUDA is present but cannot be used (%s); "
                        "translating on the CPU",
                        " ".join(str(exc).split()),
                    )
            return load("cpu")
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineError(
                f"cannot load the CTranslate2 model of {hop.label} on {device}: "
                f"{' '.join(str(exc).split())}",
                source=hop.source,
                target=hop.target,
            ) from exc

    def codec(self, hop: Hop) -> Codec:
        found = self._codecs.get(hop.key)
        if found is None:
            found = self._codecs[hop.key] = hop.codec()
        return found

    # --- translation ------------------------------------------------------------

    @staticmethod
    def chunks(tokens: list[str], starts: list[bool], limit: int) -> list[list[str]]:
        """Cut a token list longer than ``limit``, between words when possible."""
        if len(tokens) <= limit:
            return [tokens]
        chunks, start = [], 0
        while start < len(tokens):
            end = min(start + limit, len(tokens))
            if end < len(tokens):
                for cut in range(end, start + limit // 2, -1):
                    if starts[cut]:
                        end = cut
                        break
            chunks.append(tokens[start:end])
            start = end
        return chunks

    @staticmethod
    def decoding_options(
        d: Decoding, n: int, longest: int, guarded: bool = False
    ) -> dict[str, Any]:
        options: dict[str, Any] = {
            "beam_size": max(d.beam_size, n),
            "num_hypotheses": n,
            "length_penalty": d.length_penalty,
            "repetition_penalty": d.repetition_penalty,
            "no_repeat_ngram_size": d.no_repeat_ngram_size,
            "max_batch_size": d.max_batch_tokens,
            "batch_type": "tokens",
            "max_decoding_length": d.length_limit(longest),
            "replace_unknowns": True,
        }
        if guarded:
            options["repetition_penalty"] = max(d.repetition_penalty, GUARD_REPETITION_PENALTY)
            options["no_repeat_ngram_size"] = d.no_repeat_ngram_size or GUARD_NO_REPEAT_NGRAM
        return options

    def _run(self, hop: Hop, batch: list[list[str]], **options: Any) -> list[Any]:
        prefix = list(hop.target_prefix)
        try:
            return list(
                self.translator(hop).translate_batch(
                    batch, target_prefix=[prefix] * len(batch) if prefix else None, **options
                )
            )
        except (RuntimeError, ValueError) as exc:
            raise EngineError(
                f"CTranslate2 failed on {hop.label}: {exc}",
                source=hop.source,
                target=hop.target,
            ) from exc

    def translate_nbest(
        self,
        texts: list[str],
        hop: Hop,
        n: int,
        scores: list[float | None] | None = None,
    ) -> list[list[str]]:
        """``n`` hypotheses per text; with ``scores`` (a list to fill), each text's mean
        token log-probability of the best one, in order."""
        codec = self.codec(hop)
        d = hop.decoding
        # 1. sentences of every text, unique ones collected in first-seen order
        layout: list[list[tuple[int, str]] | None] = []
        unique: dict[str, int] = {}
        for text in texts:
            if not text.strip():
                layout.append(None)
                continue
            parts = split_with_spacing(text, hop.source)
            layout.append([(unique.setdefault(s, len(unique)), ws) for s, ws in parts])
        if not unique:
            if scores is not None:
                scores.extend([None] * len(texts))
            return [[text] for text in texts]
        # 2. tokenise, cut long sentences between words, one batch for the whole hop
        batch: list[list[str]] = []
        owners: list[int] = []
        head, tail = list(hop.source_prefix), list(hop.source_suffix)
        room = max(8, d.max_input_tokens - len(head) - len(tail))
        for sid, sentence in enumerate(unique):
            tokens = codec.encode(sentence)
            for chunk in self.chunks(tokens, codec.word_starts(tokens), room):
                batch.append(head + chunk + tail)
                owners.append(sid)
        longest = max((len(t) for t in batch), default=1)
        decoding = self.decoding_options(d, n, longest)
        if scores is not None:
            decoding["return_scores"] = True
        results = self._run(hop, batch, **decoding)
        hypotheses = [self._tokens(result, hop, n) for result in results]
        if d.repetition_guard:
            self._guard(hop, batch, hypotheses, n, results if scores is not None else None)
        if scores is not None:
            scores.extend(self._text_scores(results, owners, layout, decoding))
        # 3. decode every hypothesis; glue chunks back into sentences (rank by rank)
        sentences = list(unique)
        ranks: list[list[list[str]]] = [[[] for _ in range(n)] for _ in unique]
        for sid, hyps in zip(owners, hypotheses, strict=True):
            for k in range(n):
                ranks[sid][k].append(codec.decode(hyps[k], sentences[sid]))
        options = [[" ".join(p for p in parts if p) for parts in r] for r in ranks]
        if n > 1:
            for sid, sentence in enumerate(sentences):
                keep = _placeholders(sentence)
                best = next((h for h in options[sid] if _placeholders(h) == keep), options[sid][0])
                options[sid].insert(1, best)
        out = []
        width = len(options[0]) if options else 1
        for text, layout_row in zip(texts, layout, strict=True):
            if layout_row is None:
                out.append([text] * min(width, 1))
                continue
            alternatives = [
                "".join(options[sid][k] + ws for sid, ws in layout_row).strip()
                for k in range(width)
            ]
            out.append(list(dict.fromkeys(alternatives)))
        return out

    @staticmethod
    def _text_scores(
        results: list[Any],
        owners: list[int],
        layout: list[list[tuple[int, str]] | None],
        decoding: dict[str, Any],
    ) -> list[float | None]:
        """Each text's mean token log-probability over its sentences' chunks.

        CTranslate2 scores a hypothesis as its summed log-probability divided by
        ``(tokens + 1) ** length_penalty`` (the end token counts): undone here, so
        scores compare across lengths and settings."""
        penalty = float(decoding.get("length_penalty") or 0.0)
        total: dict[int, float] = defaultdict(float)
        count: dict[int, int] = defaultdict(int)
        for sid, result in zip(owners, results, strict=True):
            if not getattr(result, "scores", None) or not result.hypotheses:
                continue
            length = len(result.hypotheses[0]) + 1
            total[sid] += float(result.scores[0]) * length**penalty
            count[sid] += length
        out: list[float | None] = []
        for row in layout:
            sids = {sid for sid, _ in row} if row else set()
            tokens = sum(count[s] for s in sids)
            out.append(round(sum(total[s] for s in sids) / tokens, 4) if tokens else None)
        return out

    @staticmethod
    def _tokens(result: Any, hop: Hop, n: int) -> list[list[str]]:
        """``n`` token lists (the last repeated if fewer came back), target prefix dropped."""
        hyps = [list(h) for h in result.hypotheses] or [[]]
        prefix = list(hop.target_prefix)
        out = []
        for k in range(n):
            tokens = hyps[min(k, len(hyps) - 1)]
            if prefix and tokens[: len(prefix)] == prefix:
                tokens = tokens[len(prefix) :]
            out.append(tokens)
        return out

    def _guard(
        self,
        hop: Hop,
        batch: list[list[str]],
        hypotheses: list[list[list[str]]],
        n: int,
        results: list[Any] | None = None,
    ) -> None:
        """Re-decode, with repetition penalties, the inputs whose best output loops.

        Looping output ("the the the …", a phrase over and over, or output cut
        at the length limit) is the classic failure of NMT models. The penalties
        would change every other sentence too, so only these go again.
        """
        d = hop.decoding
        bad = [
            i
            for i, (source, hyps) in enumerate(zip(batch, hypotheses, strict=True))
            if degenerate(hyps[0], source, d.length_limit(len(source)))
        ]
        if not bad:
            return
        retry = [batch[i] for i in bad]
        longest = max(len(t) for t in retry)
        decoding = self.decoding_options(d, n, longest, guarded=True)
        if results is not None:
            decoding["return_scores"] = True
        again = self._run(hop, retry, **decoding)
        for i, result in zip(bad, again, strict=True):
            hypotheses[i] = self._tokens(result, hop, n)
            if results is not None:
                results[i] = result  # its score is the re-decoded output's
        log.info("repetition guard re-translated %d of %d inputs", len(bad), len(batch))


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def tandem_repeats(tokens: Sequence[str], max_n: int = 4) -> int:
    """The most times any n-gram (n ≤ ``max_n``) occurs back to back in ``tokens``."""
    best = 1
    for n in range(1, max_n + 1):
        i = 0
        while i + 2 * n <= len(tokens):
            count = 1
            while tokens[i + count * n : i + (count + 1) * n] == tokens[i : i + n]:
                count += 1
            best = max(best, count)
            i += max(1, (count - 1) * n) if count > 1 else 1
    return best


def degenerate(output: Sequence[str], source: Sequence[str], limit: int) -> bool:
    """Whether ``output`` loops (and ``source`` does not) or ran to the length limit."""
    if len(output) >= limit:
        return True
    repeats = tandem_repeats(output)
    return repeats >= 3 and repeats > tandem_repeats(source)
