"""Extractors: one module per kind of material, registered by name in document order.

Each extractor is a function ``extract(doc) -> Iterable[CardSpec]`` that reads the
section tree and yields card specs in plain text/markdown. Config switches them by name.

Template text (``stubs``) is taken out of the document before any extractor reads it, and
every cloze note passes through ``cloze_fit`` after them (whole words, fits a phone), and a
quiz question's back through ``choices`` (the chosen option, not the list).
``author`` (the guide's own ``Q:``/``A:`` pairs and clozes) comes first and wins: the
others read the document with cloze markup removed, and their cards made from lines the
author already turned into cards are dropped (see ``author``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from ..model import CardSpec, Document, SourceWarning
from . import (
    answers,
    author,
    choices,  # choices, cloze_fit and stubs run around the extractors, not registered: no config switches them off
    cloze_fit,
    definitions,
    frameworks,
    metrics,
    questions,
    red_flags,
    star,
    stubs,
    tables,
    takeaways,
    themes,
)

Extractor = Callable[[Document], Iterable[CardSpec]]

REGISTRY: dict[str, Extractor] = {
    "author": author.extract,
    "questions": questions.extract,
    "star": star.extract,
    "answers": answers.extract,
    "takeaways": takeaways.extract,
    "frameworks": frameworks.extract,
    "themes": themes.extract,
    "metrics": metrics.extract,
    "red_flags": red_flags.extract,
    "definitions": definitions.extract,
    "tables": tables.extract,
}


@dataclass(frozen=True)
class Extraction:
    """A document's card specs, and what the extractors have to tell its author: template
    text left out (``stubs``), author syntax that made no card (``author``)."""

    specs: list[CardSpec]
    warnings: tuple[SourceWarning, ...]


def extract_all(doc: Document, enabled: Iterable[str] | None = None) -> list[CardSpec]:
    """The specs of ``extract``, for callers that look only at cards (tests, tools): the
    pipeline calls ``extract``, whose warnings reach the author."""
    return extract(doc, enabled).specs


def extract(doc: Document, enabled: Iterable[str] | None = None) -> Extraction:
    """Run the enabled extractors and return their specs in document order, first one wins.

    Two extractors may see the same line (a ✅ theme inside a red-flag section); the
    spec from the earlier line/registry position is kept and exact repeats are dropped.
    """
    names = list(REGISTRY) if enabled is None else [n for n in REGISTRY if n in set(enabled)]
    material = stubs.scan(doc)
    doc = material.document  # template text is never material, for any extractor
    claims = author.scan(doc) if "author" in names else author.Scan((), frozenset())
    specs: list[CardSpec] = list(claims.specs)
    others = author.without_markup(doc)
    for name in names:
        if name == "author":
            continue
        for spec in REGISTRY[name](others):
            if not claims.covers(spec):
                specs.append(spec if spec.extractor else _with_name(spec, name))
    specs = [choices.settle(spec) for spec in specs]  # a quiz question: the chosen option is the answer
    specs = [part for spec in specs for part in cloze_fit.fit(spec)]  # no broken or too tall cloze
    specs.sort(key=lambda s: s.line)  # stable: registry order breaks ties
    seen: set[tuple[str, str]] = set()
    unique = []
    for spec in specs:
        key = (spec.kind.value, " ".join(spec.front.lower().split()))
        if key not in seen:
            seen.add(key)
            unique.append(spec)
    if "tables" in names and "answers" in names:  # a question answered by a table: its card or the rows'
        unique = tables.settle(unique)
    return Extraction(unique, material.warnings + claims.warnings)


def _with_name(spec: CardSpec, name: str) -> CardSpec:
    return replace(spec, extractor=name)
