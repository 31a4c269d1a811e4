"""Stories on cards: each story's own Recall note, and "Your stories:" on question backs.

A story note asks "Your story: <title>: tell it" and shows its STAR outline and metrics,
cut to one phone screen (``screen``'s estimate; ``check`` names a story that had to be
cut). A question a story answers (``story_match``) shows, before the guide's own
material, "Your stories:" with each story's title and one-line outline: what to rehearse
is which of *your* stories answers it, then what the guide says a strong answer shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from . import screen
from .model import CardSpec, Kind, StarOutline
from .stories import Bank, Story
from .story_match import Match, spec_matches

DECK = "Your stories"  # the bank's subdeck, under the root deck
DOC_ID = "stories/bank"  # its identity: no guide has it (``stories/`` is never read as guides)
MAX_SHOWN = 3  # stories on one question's back; ``deckbuilder stories`` lists them all


def on_questions(specs: Iterable[CardSpec], bank: Bank | None) -> list[CardSpec]:
    """The guide's specs, each interview question with the stories that answer it on its back."""
    if bank is None or not bank.stories:
        return list(specs)
    return [with_stories(spec, spec_matches(bank, spec)) for spec in specs]


def with_stories(spec: CardSpec, found: list[Match]) -> CardSpec:
    if not found:
        return spec
    lines = [f"* **{m.story.title}**" + (f": {m.story.summary}" if m.story.summary else "") for m in found[:MAX_SHOWN]]
    if len(found) > MAX_SHOWN:
        lines.append(f"* …and {len(found) - MAX_SHOWN} more")
    # "* " items: a list of its own, apart from the guide's "- " advice rows under it
    part = "**Your stories:**\n\n" + "\n".join(lines)
    return replace(spec, back=f"{part}\n\n{spec.back}" if spec.back else part)


def story_specs(bank: Bank) -> list[tuple[Story, CardSpec]]:
    """One Recall note per story with STAR parts (a story without any gives none; ``check`` says so)."""
    return [(story, story_spec(story)) for story in bank.stories if story.outline.rows]


def story_spec(story: Story) -> CardSpec:
    answers = ", ".join(entry for entry, _ in story.answers)
    return CardSpec(
        kind=Kind.STORY,
        front=f"Your story: {story.title}: tell it",
        back=_metrics(story),
        outline=fitted(story),
        extra=f"Answers: {answers}" if answers else "",
        hint="Your story",
        line=story.line,
        extractor="stories",
    )


def _metrics(story: Story) -> str:
    return f"**Metrics**: {story.metrics}" if story.metrics else ""


def card_lines(story: Story, outline: StarOutline) -> float:
    """How tall the story's back is on a phone, in text lines (``screen``'s estimate)."""
    rows = []
    for label, lines in outline.rows:
        rows.append(f"**{label}**: {lines[0]}" if len(lines) == 1 else f"**{label}**:\n" + "\n".join(
            f"- {line}" for line in lines))
    return screen.lines("\n\n".join(x for x in (_metrics(story), *rows) if x))


def fitted(story: Story) -> StarOutline:
    """The outline, its longest row's last lines dropped until it fits one phone screen."""
    outline = story.outline
    while card_lines(story, outline) > screen.ANSWER_LINES:
        rows = [list(lines) for _, lines in outline.rows]
        longest = max(range(len(rows)), key=lambda n: len(rows[n]))
        if len(rows[longest]) <= 1:
            break
        rows[longest].pop()
        outline = StarOutline(tuple((label, tuple(r)) for (label, _), r in zip(outline.rows, rows, strict=True)))
    return outline
