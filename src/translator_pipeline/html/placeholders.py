"""The placeholder grammar: how inline markup travels through an engine.

A segment sent to an engine is plain text in which ``<gN>…</gN>`` stands for
a paired inline element (a link, emphasis) and ``<xN/>`` for an empty one or
a run that must not change (a URL, a number, a glossary term). This module is
the one place that writes and recognises them; it imports nothing of the
package, so every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["LOOSE_PLACEHOLDER", "PLACEHOLDER", "placeholder_text", "repair_placeholders"]

#: Any exact placeholder, as a pattern to build others from.
PLACEHOLDER_PATTERN = r"</?g\d+>|<x\d+/>"
#: A placeholder that ends something (a closing or a void one): what may follow punctuation.
CLOSING_PATTERN = r"</g\d+>|<x\d+/>"
PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)
CLOSING = re.compile(CLOSING_PATTERN)
# What engines and tokenizers do to placeholders that is still unambiguous: change
# the case (<X1/>), add spaces (< x1 / >, </ g2 >). Anything else (letters inside, a
# lost bracket) is not guessed at.
LOOSE_PLACEHOLDER = re.compile(r"<\s*(/?)\s*([gGxX])\s*(\d+)\s*(/?)\s*>")


def open_tag(number: int | str) -> str:
    return f"<g{number}>"


def close_tag(number: int | str) -> str:
    return f"</g{number}>"


def void_tag(number: int | str) -> str:
    return f"<x{number}/>"


def placeholder_text(tokens: Sequence[tuple[str, str | int]]) -> str:
    """Segment tokens (``text``, ``open``, ``close``, ``void``) as engine input."""
    out = []
    for kind, value in tokens:
        if kind == "text":
            out.append(str(value))
        elif kind == "open":
            out.append(open_tag(value))
        elif kind == "close":
            out.append(close_tag(value))
        else:
            out.append(void_tag(value))
    return "".join(out)


def repair_placeholders(translated: str) -> str:
    """Engine output with loosely written placeholders put back in their exact form."""

    def fix(m: re.Match[str]) -> str:
        closing, kind, number, selfclose = m.groups()
        kind = kind.lower()
        if kind == "x":
            return void_tag(number) if not closing else m.group()
        if selfclose:
            return m.group()
        return f"<{closing}g{number}>"

    return LOOSE_PLACEHOLDER.sub(fix, translated)
