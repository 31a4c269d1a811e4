"""Interview questions in question lists become Recall "prompt" cards.

Front: the question. Back: its category and, when the guide has a sample answer to the
same or a very similar question, that answer's outline to rehearse against.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher

from ..model import CardSpec, Document, Kind, Section
from . import star
from .text import is_link_only, list_items, plain, sections, unquote, words

QUESTION_HEADING = re.compile(
    r"\bquestions?\b|follow[- ]?ups?|\bprobes?\b|what (they|interviewers?)('ll| will)? ask", re.I
)
NOT_QUESTIONS = re.compile(r"sample answers?|red flags?|mistakes?|related|questions? to ask", re.I)
SIMILAR = 0.72  # word-sequence similarity above which a sample answer is "the same question"


def extract(doc: Document) -> Iterator[CardSpec]:
    answers = [(SequenceMatcher(None, b=words(a.question)), a) for a in star.answers(doc)]
    for section in sections(doc):
        if not _is_question_list(doc, section):
            continue
        category = section.path[-1]
        for item in list_items(section.blocks):
            question = _question_text(item.text)
            if not question:
                continue
            answer = _best_answer(question, answers)
            yield CardSpec(
                kind=Kind.QUESTION,
                front=question,
                label=category,
                back=f"Category: {category}",
                outline=star.outline(answer) if answer else None,
                extra=f"Sample answer: {answer.question}" if answer else "",
                hint=f"Interview question · {category}",
                section_path=section.path,
                line=item.line,
            )


def _is_question_list(doc: Document, section: Section) -> bool:
    """Under a questions heading (own or parent's); "mistakes" in a category's name is fine."""
    titles = [t for t in section.path[-2:] if QUESTION_HEADING.search(t)]
    if not titles or any(NOT_QUESTIONS.search(t) for t in titles):
        return False
    return not star.is_answer(doc, section)


def _question_text(md: str) -> str:
    """The question of a list item, or "" for links and notes that are not questions."""
    if is_link_only(md):
        return ""
    text = unquote(plain(md.split("\n")[0]))
    return text if len(text.split()) >= 3 else ""


def _best_answer(question: str, answers: list[tuple[SequenceMatcher, star.Answer]]) -> star.Answer | None:
    best, best_score = None, SIMILAR
    question_words = words(question)
    for matcher, answer in answers:
        matcher.set_seq1(question_words)
        if matcher.real_quick_ratio() >= best_score and matcher.quick_ratio() >= best_score:
            score = matcher.ratio()
            if score >= best_score:
                best, best_score = answer, score
    return best
