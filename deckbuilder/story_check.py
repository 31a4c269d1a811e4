"""What ``check`` says about the story bank: each problem names the story's file and line.

- a story missing STAR parts (or without any, which makes no card);
- a story that says nothing about what it answers, and an ``answers`` entry that matches
  no question of the guides checked (a typo, or a category the guides do not have);
- a story whose card is taller than one phone screen (``screen``'s estimate): its card
  leaves out the last steps, so the story wants tightening.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from . import screen
from .model import CardSpec, SourceWarning
from .stories import Bank, missing_parts
from .story_cards import card_lines
from .story_match import entry_match


def story_problems(bank: Bank | None, questions: Iterable[CardSpec]) -> Iterator[SourceWarning]:
    """Every problem of every story; ``questions``: the interview questions of the guides checked."""
    if bank is None:
        return
    asked = [(q.front, q.section_path) for q in questions]
    for story in bank.stories:
        name = f"the story '{story.title}'"
        missing = missing_parts(story)
        if not story.parts:
            yield SourceWarning(story.path, story.line, f"{name} has no STAR parts (**Situation:**, **Task:**, "
                                                        "**Action:**, **Result:**); it makes no card", "story")
        elif missing:
            yield SourceWarning(story.path, story.line, f"{name} has no {', '.join(missing)}; tell the whole story "
                                                        "(Situation, Task, Action, Result)", "story")
        if not story.answers:
            yield SourceWarning(story.path, story.line, f"{name} says nothing it answers; add a line "
                                                        "'Answers: a category, \"a question's words\"'", "story")
        for entry, line in story.answers:
            if not any(entry_match(entry, question, path) for question, path in asked):
                yield SourceWarning(story.path, line, f"answers entry '{entry}' of {name} matches no question "
                                                      "(no category, section or question has its words)", "story")
        height = card_lines(story, story.outline)
        if height > screen.ANSWER_LINES:
            yield SourceWarning(story.path, story.line, f"{name} is about {height:.0f} lines on a phone (a back "
                                                        f"holds {screen.ANSWER_LINES}); its card leaves out its "
                                                        "last steps: tighten it", "story")
