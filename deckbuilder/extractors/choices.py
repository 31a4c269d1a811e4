"""Multiple-choice questions: the back names the right option, not the whole list.

A quiz in a guide lists its options under the question and names the right one by letter
("a) Thrashing", "b) Swapping", ... then "**Answer: a**"). Shown whole on the back, it makes
the learner find the letter among the options and read the text beside it; the answer to
recall is that text. So a question's back that is only such options and the answer line
becomes the chosen option's text, and the options go to Extra (what else was offered).
Anything else on the back (a reason, code) leaves the card as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import CardSpec, Kind

_QUESTIONS = (Kind.QA, Kind.AUTHOR_QA)
_OPTION = re.compile(r"^\s*(?:[-*+]\s+)?\(?([a-hA-H])[).]\s+(\S.*?)\s*$")
_ANSWER = re.compile(
    r"^\s*(?:\*\*|__)?(?:correct\s+)?(?:answer|ans)(?:\s*(?:\*\*|__))?\s*[:.\-–]\s*(?:\*\*|__)?\s*"
    r"\(?([a-hA-H])\)?[.)]?\s*(?:\*\*|__)?\s*$",
    re.I,
)


def settle(spec: CardSpec) -> CardSpec:
    """``spec`` with a multiple-choice back replaced by the chosen option's text."""
    if spec.kind not in _QUESTIONS or "\n" not in spec.back:
        return spec
    lines = [line for line in spec.back.split("\n") if line.strip()]
    answer = _ANSWER.match(lines[-1])
    options = [m for m in (_OPTION.match(line) for line in lines[:-1]) if m is not None]
    if answer is None or len(options) < 2 or len(options) != len(lines) - 1:
        return spec
    letters = [m.group(1).lower() for m in options]
    if letters != [chr(ord("a") + i) for i in range(len(letters))]:  # a), b), c)... in order
        return spec
    chosen = answer.group(1).lower()
    if chosen not in letters:
        return spec
    offered = "\n".join(f"- {m.group(1).lower()}) {m.group(2)}" for m in options)
    extra = "\n\n".join(part for part in (f"Options:\n\n{offered}", spec.extra) if part)
    return replace(spec, back=options[letters.index(chosen)].group(2), extra=extra)
