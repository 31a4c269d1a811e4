"""Which interview questions the user's stories cover, per guide and question category.

What a candidate needs to know before an interview is which common questions none of
their stories answers yet, and which stories answer nothing. ``deckbuilder stories``
prints this (a table, or JSON for scripts) and ``deckbuilder preview`` shows the same
table. Built from the card specs the guides give, so a question counts exactly when it
is a card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import CardSpec
from .stories import Bank, Story
from .story_match import Match, is_question, spec_matches


@dataclass(frozen=True)
class Question:
    text: str
    path: str  # the guide, for messages
    line: int
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class Category:
    """The questions a guide lists under one heading."""

    guide: str  # the guide's path
    name: str  # the heading (a sample answers section counts as one category)
    questions: tuple[Question, ...]

    @property
    def covered(self) -> int:
        return sum(1 for q in self.questions if q.matches)

    def stories(self) -> list[str]:
        """Titles of the stories answering any of its questions, most questions first."""
        counts: dict[str, int] = {}
        for q in self.questions:
            for m in q.matches:
                counts[m.story.title] = counts.get(m.story.title, 0) + 1
        return sorted(counts, key=lambda t: -counts[t])


@dataclass(frozen=True)
class Coverage:
    categories: tuple[Category, ...]
    unused: tuple[Story, ...]  # stories that answer no question

    def uncovered(self) -> list[Question]:
        return [q for c in self.categories for q in c.questions if not q.matches]


def coverage(guides: Sequence[tuple[str, Sequence[CardSpec]]], bank: Bank) -> Coverage:
    """Coverage of each (guide path, its specs) by the bank's stories."""
    categories: list[Category] = []
    used: set[int] = set()
    for path, specs in guides:
        grouped: dict[str, list[Question]] = {}
        for spec in specs:
            if not is_question(spec):
                continue
            found = tuple(spec_matches(bank, spec))
            used.update(id(m.story) for m in found)
            name = spec.section_path[-1] if spec.section_path else ""
            grouped.setdefault(name, []).append(Question(spec.front, path, spec.line, found))
        categories.extend(Category(path, name, tuple(qs)) for name, qs in grouped.items())
    return Coverage(tuple(categories), tuple(s for s in bank.stories if id(s) not in used))


def as_json(cov: Coverage) -> dict[str, Any]:
    return {
        "categories": [
            {"guide": c.guide, "category": c.name, "questions": len(c.questions), "covered": c.covered,
             "stories": c.stories(),
             "items": [{"question": q.text, "line": q.line, "stories": [m.explain() for m in q.matches]}
                       for q in c.questions]}
            for c in cov.categories
        ],
        "uncovered": [{"guide": q.path, "line": q.line, "question": q.text} for q in cov.uncovered()],
        "unused": [{"story": s.title, "file": s.path, "line": s.line} for s in cov.unused],
    }


def as_text(cov: Coverage) -> list[str]:
    """The table, then the questions no story covers, then the stories that answer nothing."""
    header = ("guide", "category", "questions", "covered", "stories")
    rows = [(c.guide, c.name, str(len(c.questions)), str(c.covered), ", ".join(c.stories()) or "-")
            for c in cov.categories]
    widths = [max(len(r[n]) for r in [header, *rows]) for n in range(4)]
    out = []
    for guide, name, total, covered, stories in [header, *rows]:
        out.append(f"{guide:<{widths[0]}}  {name:<{widths[1]}}  {total:>{widths[2]}}  {covered:>{widths[3]}}  "
                   f"{stories}")
    questions = sum(len(c.questions) for c in cov.categories)
    uncovered = cov.uncovered()
    out.append(f"{questions - len(uncovered)} of {questions} questions covered by at least one story")
    out.append(f"uncovered questions ({len(uncovered)}):")
    out.extend(f"  {q.path}:{q.line}: {q.text}" for q in uncovered)
    out.append(f"stories that answer nothing ({len(cov.unused)}):")
    out.extend(f"  {s.path}:{s.line}: {s.title}" for s in cov.unused)
    return out
