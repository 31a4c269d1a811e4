"""What a guide says a strong answer shows: the back of a question it does not answer.

A behavioral guide rarely answers each of its prompts, but it says what every answer
should show: key themes, a framework (STAR, or its own ladder), red flags to avoid and
metrics to include. ``Advice.back`` picks from those, for one question, the few that fit
it best: the ones sharing the most words with the question and its category (the section
it is listed under), else the guide's first. Nothing is invented: every word on such a
back is the guide's own, and a guide with none of it gives no back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import CardSpec, Document, Kind
from . import frameworks, metrics, red_flags, star, themes
from .text import plain, sections, unquote, words

SHOW = 2  # themes on a back
AVOID = 2  # red flags on a back, the second only when it fits the question too
QUANTIFY = 2
MAX_PHRASE_WORDS = 12  # a red flag's weak phrasing longer than this is named by its label
MAX_NOTE_WORDS = 12  # a framework's note ("Aim for levels 4-5") longer than this is left out
STOP = frozenset(
    "about after again also always an and any are ask asked asking be been before being but by can "
    "could describe did do does doing example for from give had has have how if in into is it its "
    "just me more most my not of on or our out over own should so some tell than that the their them "
    "then there they this time to up was we were what when where which while who why will with would "
    "you your without taking take took taken made make went get got one something someone".split()
)


@lru_cache(maxsize=4096)
def stems(text: str) -> frozenset[str]:
    """Content words cut to four letters, so "prevented" meets "prevention", "failed" "failure"."""
    return frozenset(w[:4] for w in words(text) if w not in STOP and len(w) > 2)


@dataclass(frozen=True)
class Item:
    text: str  # what the back shows
    stems: frozenset[str]  # words it is matched on
    group: frozenset[str]  # words of the section it stands in


@dataclass(frozen=True)
class Advice:
    themes: tuple[Item, ...]
    frameworks: tuple[Item, ...]
    red_flags: tuple[Item, ...]
    metrics: tuple[Item, ...]
    star: bool  # the guide uses STAR (its sample answers, or a heading naming it)

    def back(self, question: str, category: str, sample: bool = False) -> str:
        """Block markdown for a question the guide does not answer, "" if it offers nothing.
        ``sample``: a similar sample answer's outline will follow on the card."""
        asked, where = stems(question), stems(category)
        rows = []
        if shown := _best(self.themes, asked, where, SHOW):
            rows.append(("Show", ", ".join(shown)))
        own = _best(self.frameworks, asked, where, 1)
        if use := (["STAR"] if self.star else []) + own:
            rows.append(("Use", "; ".join(use)))
        if avoid := _best(self.red_flags, asked, where, AVOID, second_must_fit=True):
            rows.append(("Avoid", "; ".join(avoid)))
        if quantify := _best(self.metrics, asked, where, QUANTIFY, second_must_fit=True):
            rows.append(("Quantify", ", ".join(quantify)))
        if not sample and not own and all(label == "Use" for label, _ in rows):
            return ""  # "Use: STAR" alone says nothing about this question
        return "\n".join(f"- **{label}**: {text}" for label, text in rows)


def _best(items: tuple[Item, ...], asked: frozenset[str], where: frozenset[str], n: int,
          second_must_fit: bool = False) -> list[str]:
    """The ``n`` items sharing most words with the question (then with its category),
    in the guide's order among equals; the first items when none share any."""
    scores = [2 * len(i.stems & asked) + len(i.stems & where) + len(i.group & where) for i in items]
    top = sorted(range(len(items)), key=lambda k: -scores[k])[:n]  # a stable sort: guide order among equals
    picked = [items[k] for k in top if scores[k] > 0 or not second_must_fit]
    if second_must_fit:  # a second one only when it shares a word with the question itself
        picked = picked[:1] + [i for i in picked[1:] if i.stems & asked]
    if not picked and items:
        picked = [items[top[0]]]
    return list(dict.fromkeys(i.text for i in picked))


_CLOZE = re.compile(r"\{\{c\d+::|(?:::[^{}]*)?\}\}")
_last: tuple[Document, Advice] | None = None


def of(doc: Document) -> Advice:
    """The guide's advice; computed once per document, as each of its questions asks."""
    global _last
    if _last is not None and _last[0] is doc:
        return _last[1]
    found = Advice(
        themes=tuple(_theme(s) for s in themes.extract(doc)),
        frameworks=tuple(_framework(s) for s in frameworks.extract(doc) if s.kind is Kind.FRAMEWORK),
        red_flags=tuple(_red_flag(s) for s in red_flags.extract(doc) if s.back),
        metrics=tuple(_metric(s) for s in metrics.extract(doc)),
        star=any(re.search(r"\bSTAR\b", s.title) for s in sections(doc))
        or any(set("STAR") & {label for label, _ in a.parts} for a in star.answers(doc)),
    )
    _last = (doc, found)
    return found


def _group(spec: CardSpec) -> frozenset[str]:
    return stems(spec.section_path[-1]) if spec.section_path else frozenset()


def _theme(spec: CardSpec) -> Item:
    return Item(plain(spec.front), stems(f"{spec.front} {spec.back}"), _group(spec))


def _framework(spec: CardSpec) -> Item:
    name = "the " + re.sub(r"^the\s+", "", spec.label, flags=re.I)
    note = plain(spec.extra).rstrip(".")
    text = f"{name}: {note[:1].lower()}{note[1:]}" if note and len(note.split()) <= MAX_NOTE_WORDS else name
    steps = plain(_CLOZE.sub("", spec.front))
    return Item(text, stems(f"{spec.label} {steps}"), _group(spec))


def _red_flag(spec: CardSpec) -> Item:
    weak = unquote(plain(spec.front))
    label = plain(spec.label)
    if len(weak.split()) > MAX_PHRASE_WORDS or "\n" in spec.front:
        text = label  # a long problem statement or code: its name says it
    else:
        text = f"{label}: “{weak}”" if label and label != weak else f"“{weak}”"
    return Item(text, stems(f"{spec.label} {weak}"), _group(spec))


def _metric(spec: CardSpec) -> Item:
    label = plain(spec.front)
    return Item(label[:1].lower() + label[1:] if not label[:2].isupper() else label, stems(label), _group(spec))
