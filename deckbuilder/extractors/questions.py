"""Interview questions in question lists become Recall "prompt" cards.

Front: the question. Only items that read as questions count (``asking.asks``); an item
that does not ("Tip: name the person's role", "Keep this one under two minutes") is a
note on the question before it, or no card before any question. An item that carries its
answer nested under it is the ``answers`` extractor's; nested hints stay notes.

Back: what the same guide says a strong answer shows (``advice``: the themes, framework,
red flag and metric that fit the question's words and category), with the question's
notes in Extra and, as before, the outline of a sample answer to a very similar question;
the notes themselves when the guide says nothing of strong answers. A prompt with none of
these is no card; ``unanswered`` names those for ``check``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..model import CardSpec, Document, Kind, ListBlock, ListItem, Section
from . import advice, answers, details, star
from .asking import BARE_URL, asks, heading_asks
from .text import is_link_only, list_items, plain, sections, to_markdown, unquote, words

QUESTION_HEADING = re.compile(
    r"\bquestions?\b|follow[- ]?ups?|\bprobes?\b|what (they|interviewers?)('ll| will)? ask", re.I
)
NOT_QUESTIONS = re.compile(r"sample answers?|red flags?|mistakes?|related|questions? to ask", re.I)
SIMILAR = 0.72  # word-sequence similarity above which a sample answer is "the same question"


@dataclass(frozen=True)
class Prompt:
    """A question from a question list, with the notes the list gives on it."""

    question: str
    notes: str  # block markdown, "" if none
    category: str
    section: Section
    line: int


def extract(doc: Document) -> Iterator[CardSpec]:
    samples = _samples(doc)
    for prompt in prompts(doc):
        answer = _best_answer(prompt.question, samples)
        back = advice.of(doc).back(prompt.question, prompt.category, sample=answer is not None)
        notes = prompt.notes if back else ""
        back = back or prompt.notes
        if not back:
            continue
        sample = f"Sample answer: {answer.question}" if answer else ""
        yield CardSpec(
            kind=Kind.QUESTION,
            front=prompt.question,
            label=prompt.category,
            back=back,
            outline=star.gist(answer) if answer else None,
            extra="\n\n".join(x for x in (notes, sample) if x),
            hint=f"Interview question · {prompt.category}",
            section_path=prompt.section.path,
            line=prompt.line,
        )


def unanswered(doc: Document) -> list[Prompt]:
    """The prompts that became no card: no answer in the list, nothing in the guide to
    say what a strong answer shows, and no similar sample answer."""
    samples = _samples(doc)
    return [
        p for p in prompts(doc)
        if not p.notes
        and not advice.of(doc).back(p.question, p.category, sample=_best_answer(p.question, samples) is not None)
    ]


def prompts(doc: Document) -> Iterator[Prompt]:
    """Every question of every question list; a non-question item after a question is
    that question's answer, before any question it is nothing."""
    for section in sections(doc):
        if not _is_question_list(doc, section):
            continue
        category = section.path[-1]
        current: tuple[ListItem, str, list[str]] | None = None
        blocks = tuple(details.outside_details(section.blocks))
        answered = {line for line, _ in answers.answered_after(blocks)} | {
            item.line for b in blocks if isinstance(b, ListBlock)
            for item, following in zip(b.items, b.items[1:], strict=False)
            if answers.answered_by_next(item, following)
        }
        for item in list_items(blocks):
            question = _question_text(item.text) if asks(item.text) else ""
            if question:
                if current:
                    yield _prompt(current, category, section)
                # answered in place or by the blocks after it: the answers extractor's card
                answered_here = item.line in answered or answers.in_place(item)
                current = None if answered_here else (item, question, [to_markdown(item.children)])
            elif current and not is_link_only(item.text) and plain(item.text):
                current[2].append(to_markdown((_as_list(item),)))
        if current:
            yield _prompt(current, category, section)


def _prompt(current: tuple[ListItem, str, list[str]], category: str, section: Section) -> Prompt:
    item, question, notes = current
    return Prompt(question, "\n".join(n for n in notes if n), category, section, item.line)


def _as_list(item: ListItem) -> ListBlock:
    return ListBlock(False, (item,), item.line)


def _is_question_list(doc: Document, section: Section) -> bool:
    """Under a questions heading (own or parent's); "mistakes" in a category's name is fine.
    A heading that itself asks is a question with its answer, not a list of questions."""
    titles = [t for t in section.path[-2:] if QUESTION_HEADING.search(t)]
    if not titles or any(NOT_QUESTIONS.search(t) for t in titles):
        return False
    if heading_asks(section.title) or answers.labelled_answer(section):
        return False  # its list is that question's answer ("**Your answer should include:**")
    return not star.is_answer(doc, section)


def _question_text(md: str) -> str:
    """The question of a list item, or "" for links and notes that are not questions."""
    if is_link_only(md):
        return ""
    text = unquote(plain(BARE_URL.sub("", md.split("\n")[0])))  # a link written out says nothing to learn
    return text if len(text.split()) >= 3 else ""


@dataclass(frozen=True)
class _Sample:
    """A sample answer's question, ready to be compared with every prompt."""

    matcher: SequenceMatcher[str]  # holds the question's words
    length: int  # how many words
    vocabulary: frozenset[str]
    answer: star.Answer


def _samples(doc: Document) -> list[_Sample]:
    samples = []
    for answer in star.answers(doc):
        question = words(answer.question)
        samples.append(_Sample(SequenceMatcher(None, b=question), len(question), frozenset(question), answer))
    return samples


def _best_answer(question: str, samples: list[_Sample]) -> star.Answer | None:
    best, best_score = None, SIMILAR
    question_words = words(question)
    for sample in samples:
        if not _may_reach(question_words, sample, best_score):
            continue
        matcher = sample.matcher
        matcher.set_seq1(question_words)
        if matcher.real_quick_ratio() >= best_score and matcher.quick_ratio() >= best_score:
            score = matcher.ratio()
            if score >= best_score:
                best, best_score = sample.answer, score
    return best


def _may_reach(question: list[str], sample: _Sample, score: float) -> bool:
    """Could the question be ``score`` similar to the sample's? The question's words found
    in the sample's at all bound difflib's ``quick_ratio`` from above, at a fraction of its
    cost: most questions share few words with most sample answers."""
    length = len(question) + sample.length
    if not length:
        return True
    found = [w for w in question if w in sample.vocabulary]
    return 2.0 * len(found) / length >= score
