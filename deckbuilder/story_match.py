"""Which of the user's stories answer an interview question, and by which rule.

A story's ``answers`` entries are matched against a question three ways, each one
explainable (``deckbuilder cards --format json`` and ``deckbuilder stories`` show it):

- **phrase**: every content word of the entry is in the question's text
  ("disagreed with your manager" answers "What if your manager disagreed with you?");
- **category**: ... in the heading the question is listed under ("ownership" answers
  every question under *Ownership & Accountability*);
- **section**: ... in a heading above that (a guide's *Conflict* part with several lists).

A tag is read by its last part, the heading it names (``...::ownership-accountability``).

Words are compared as the guide's own advice compares them (``advice.stems``: stop words
out, four-letter stems, so "prevented" meets "prevention"). Interview questions are the
prompts of question lists and the questions of sample answers; other cards ("What is a
covering index?") never show stories.
"""

from __future__ import annotations

from dataclasses import dataclass

from .extractors.advice import stems
from .model import CardSpec, Kind
from .stories import Bank, Story

QUESTION_KINDS = frozenset({Kind.QUESTION, Kind.STAR})
RULES = ("phrase", "category", "section")  # most specific first: the order a back lists stories in


@dataclass(frozen=True)
class Match:
    story: Story
    rule: str  # one of RULES
    entry: str  # the story's answers entry that matched
    matched: str  # what it matched: the question, its category, or a section heading

    def explain(self) -> dict[str, str]:
        return {"story": self.story.title, "file": self.story.path, "rule": self.rule, "entry": self.entry,
                "matched": self.matched}


def is_question(spec: CardSpec) -> bool:
    return spec.kind in QUESTION_KINDS


def matches(bank: Bank | None, question: str, section_path: tuple[str, ...]) -> list[Match]:
    """The stories answering ``question`` (listed under ``section_path``), most specific rule first."""
    if bank is None:
        return []
    found = [m for m in (story_match(s, question, section_path) for s in bank.stories) if m is not None]
    return sorted(found, key=lambda m: RULES.index(m.rule))  # stable: the bank's order among equals


def spec_matches(bank: Bank | None, spec: CardSpec) -> list[Match]:
    return matches(bank, spec.front, spec.section_path) if is_question(spec) else []


def story_match(story: Story, question: str, section_path: tuple[str, ...]) -> Match | None:
    """The story's most specific matching entry for this question, None if none matches."""
    best: Match | None = None
    for entry, _line in story.answers:
        found = entry_match(entry, question, section_path)
        if found and (best is None or RULES.index(found[0]) < RULES.index(best.rule)):
            best = Match(story, found[0], entry, found[1])
    return best


def entry_match(entry: str, question: str, section_path: tuple[str, ...]) -> tuple[str, str] | None:
    """(rule, what matched) for one answers entry, or None. A card's tag
    (``deckbuilder::guide::common-questions::taking-initiative``) is read by its last part."""
    wanted = stems(entry.rsplit("::", 1)[-1])
    if not wanted:
        return None
    if wanted <= stems(question):
        return ("phrase", question)
    if section_path and wanted <= stems(section_path[-1]):
        return ("category", section_path[-1])
    for heading in reversed(section_path[:-1]):
        if wanted <= stems(heading):
            return ("section", heading)
    return None
