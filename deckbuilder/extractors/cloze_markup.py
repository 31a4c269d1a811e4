"""Cloze markup an author writes in inline markdown: Anki's own ``{{c1::answer}}`` (with an
optional hint, ``{{c1::answer::hint}}``) and ``==highlight==``.

``parse`` reads one paragraph or list item and gives it back twice: in Anki syntax, each
highlight numbered after the explicit deletions in reading order, and as plain markdown
with the markup removed (for extractors that must not see it). Code spans are text:
markup inside backticks is never a deletion, while a highlighted code span is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NUMBER = 500  # {{c1::}} .. {{c500::}}; more is a typo, not a card
_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_MASK = "\ue000"  # stands in for code spans, so their content never matches below
_OPEN = re.compile(r"\{\{c\d+::")
_EXPLICIT = re.compile(r"\{\{c(?P<n>\d+)::(?P<body>.*?)\}\}", re.DOTALL)
_HIGHLIGHT = re.compile(r"(?<!=)==(?=[^\s=])(?P<body>[^\n]*?[^\s=])==(?!=)")
_VISIBLE = re.compile(r"[^\s\x00-\x1f\x7f]")  # control characters never show on a card


@dataclass(frozen=True)
class Parsed:
    anki: str  # the text with Anki deletions, "" when it has none or its markup is broken
    plain: str  # the text with every well-formed deletion replaced by its answer
    problem: str  # what is wrong with the markup, for a warning; "" if nothing


def might_have_markup(text: str) -> bool:
    """Cheap test before parsing: most paragraphs have neither ``{{`` nor ``==``."""
    return "{{" in text or "==" in text


def parse(text: str) -> Parsed:
    if not might_have_markup(text):
        return Parsed("", text, "")
    masked = _CODE.sub(lambda m: _MASK * len(m.group()), text)
    explicit = list(_EXPLICIT.finditer(masked))
    problem = _problem(masked, explicit)
    good = [m for m in explicit if not _bad(m)]
    taken = [m.span() for m in explicit]
    highlights = [
        m for m in _HIGHLIGHT.finditer(masked)
        if not any(a < m.end() and m.start() < b for a, b in taken)
        and "{{" not in m["body"] and "}}" not in m["body"] and _VISIBLE.search(m["body"])
    ]
    if not problem and any("::" in m["body"] for m in highlights):  # Anki would read "new" as a hint
        problem = "'::' in a ==highlight== reads as a cloze hint in Anki; put code in backticks: ==`Vec::new`=="
    highlights = [m for m in highlights if "::" not in m["body"]]
    number = max((int(m["n"]) for m in good), default=0)
    anki_parts, plain_parts, pos = [], [], 0
    for m in sorted(good + highlights, key=lambda m: m.start()):
        body = text[m.start("body") : m.end("body")]
        anki_parts.append(text[pos : m.start()])
        plain_parts.append(text[pos : m.start()])
        if m.re is _HIGHLIGHT:
            number += 1
            anki_parts.append("{{c%d::%s}}" % (number, body))
            plain_parts.append(body)
        else:
            anki_parts.append(text[m.start() : m.end()])
            plain_parts.append(_answer(body))
        pos = m.end()
    anki_parts.append(text[pos:])
    plain_parts.append(text[pos:])
    has_deletions = bool(good or highlights)
    return Parsed("".join(anki_parts) if has_deletions and not problem else "", "".join(plain_parts), problem)


def _answer(body: str) -> str:
    return body.split("::", 1)[0]


def _bad(m: re.Match[str]) -> str:
    """Why one ``{{cN::...}}`` cannot be a deletion, or ""."""
    n, body = int(m["n"]), m["body"]
    if not 1 <= n <= MAX_NUMBER:
        return f"cloze number c{n} is out of range; use c1 to c{MAX_NUMBER}"
    if "{{" in body:
        return "a cloze inside a cloze; close the first one with }} before opening the next"
    if not _VISIBLE.search(_answer(body)):
        return "empty cloze; write the answer after {{c%d::" % n
    return ""


def _problem(masked: str, explicit: list[re.Match[str]]) -> str:
    for m in explicit:
        reason = _bad(m)
        if reason:
            return reason
    if len(_OPEN.findall(masked)) > len(explicit):
        return "a cloze is not closed; end it with }}"
    return ""
