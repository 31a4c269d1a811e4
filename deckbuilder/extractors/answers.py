"""Questions the guide answers become Recall notes (``Kind.QA``): the question in front,
the guide's answer behind. Four shapes are read:

- a heading that asks (``### What is event delegation?``, ``#### Q2: Explain the CAP
  theorem``, ``### How does a B-tree index speed up reads``), answered by its content up
  to the next heading of the same or higher level; a subsection that asks is a card of
  its own, one that does not is part of the answer (under its title in bold). A STAR
  sample answer stays the ``star`` extractor's;
- a bold question line (``**What is X?**``, ``**Q: What is X?**``, ``**Question**: What is
  X?``, or a bare ``**Question:**`` with the question on its next lines or quoted under it)
  answered by the rest of its paragraph or the blocks after it, up to the next such line
  or a "Follow-up questions:" label. Pairs with an ``A:`` or ``Answer:`` label are the
  ``author`` extractor's (it claims their lines);
- ``<details><summary>question</summary>answer</details>``, in one html block or
  around the answer's own blocks;
- a list item that asks and carries its answer: nested under it, on its next lines, or
  after a bold question (``1. **What is X?** X is...``); or answered by the blocks after
  its list (``1. Heaps`` / ``Question:`` / ``How does...?`` then ``Answer:`` paragraphs).

Lines about the question rather than its subject (``**Difficulty**:``, ``**Asked at**:``,
``**Topics**:``, ``**Keywords**:``) are left off the back wherever they stand.

A long answer keeps its opening blocks on the back, up to about one phone screen
(``screen.fits``), and the rest goes to Extra; so does code longer than ``CODE_LINES``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .. import screen
from ..model import Block, CardSpec, Document, Kind, ListBlock, ListItem, Opaque, Paragraph, Section
from . import details, fit, star
from .asking import PROMPT, asks, heading_asks, question_text
from .labelled import MARKERS
from .text import QUOTES, plain, title_matches, to_markdown, words
from .thin import too_thin

MISTAKES = re.compile(r"red flags?|mistakes?|pitfalls?|anti-?patterns?", re.I)
# "**What is X?**" alone on its line, or "**Q: What is X?**" / "**Q:** What is X?" / "Q: What is X?"
# ("ROW_NUMBER" keeps its underscore: only a "_" between letters is part of a word)
_BOLD_LINE = re.compile(r"^\s*(?P<em>\*\*|__)(?P<q>(?:[^*_\n]|(?<=\w)_(?=\w))+?)(?P=em)\s*$")
# "10. ", "Q3. " in front of a bold question: numbered, a prompt without "?" asks too
_NUMBERED = re.compile(r"^\s*(?:Q\s*)?\d{1,3}[.)]\s", re.I)
_TAGGED_LINE = re.compile(  # "**Question**: What is X?" closes its bold before the colon
    r"^\s*(?:\*\*|__)?Q(?:uestion)?\s*\d*\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(?P<q>.+?)\s*(?:\*\*|__)?\s*$", re.I
)
# "**Question:**" alone on its line: the question follows, on the next lines or quoted under it
_QUESTION_LABEL = re.compile(r"^\s*(?:\*\*|__)?Q(?:uestion)?\s*\d*\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*$", re.I)
# "**Follow-up Questions:**" over a list: more to ask, not part of the answer above it
_FOLLOW_UPS = re.compile(r"^\s*(?:\*\*|__)?(?:possible |likely |common )?follow[- ]?ups?(?: questions?)?\s*"
                         r"(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*$", re.I)
# "**What is X?** the answer" in one list item
_BOLD_HEAD = re.compile(r"^\s*(?:\*\*|__)(?P<q>[^*_\n]+?\?)\s*(?:\*\*|__)\s*[:—–-]?\s*(?P<rest>\S.*)$", re.DOTALL)
# "A:", "**Answer:**", "**Answer**:", "Ans :", "**Sample Answer**:", "*Good answer:*", "**Strategy**:", and
# "A)" (capital only: "a) first option" opens an enumeration)
_ANSWER_LABEL = re.compile(
    r"^\s*(?:[*_]{1,2})?(?:(?:(?:sample|good|model|expected|short|suggested|ideal|strong)\s+)?ans(?:wer)?"
    r"(?:\s*\((?:STAR|short|long|brief|sample|example)\))?"  # "**Answer (STAR):**"
    r"|strategy|explanation|solution"  # "**Strategy**:" opening the answer names it as well
    r"|A)\s*(?:[*_]{1,2})?\s*:\s*(?:[*_]{1,2}:?(?=\s|$))?\s*|^\s*(?:\*\*|__)?(?-i:A\))\s*(?:\*\*|__)?\s*"
    r"|^\s*(?:\*\*|__)ans(?:wer)?\.(?:\*\*|__)\s*",  # "**Answer.** The HTTP protocol...": bold, a full stop
    re.I,
)
# "**Difficulty**: Easy", "**What they're testing:** Understanding Git's workflow": a short
# line about the question, written before the answer's label
_META_LINE = re.compile(r"^\s*(?:\*\*|__)?[A-Z][\w' ]{0,30}?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?[^\n]{0,80}$")
# "**Difficulty**: Advanced", "**Asked at**: Initech", "**Topics**: `Hashing`", "**Keywords:** ...":
# a line about the question, not about its subject, wherever the author put it
_ABOUT_QUESTION = re.compile(
    r"^\s*(?:\*\*|__)?(?:difficulty|asked (?:at|by|in)|compan(?:y|ies)(?:\s*/\s*years?)?|topics?|tags?|"
    r"categor(?:y|ies)|key ?words)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?[^\n]*$"
    # "**Context:** asked in analyst interviews (2025)": where it is asked, not the question's setup
    r"|^\s*(?:\*\*|__)?context\s*(?:\*\*|__)?\s*:[^\n]*\b(?:interviews?|asked|roles?|compan(?:y|ies)|faang)\b[^\n]*$",
    re.I,
)
# "![Feedback screenshot](images/q1.png)" between such a line and the label: a picture of
# the question's context, nothing a card can show as its answer
_IMAGE_LINE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
_URL_ONLY = re.compile(r"^\s*<?https?://\S+?>?\s*$")
_BREAKS = re.compile(r"<br\s*/?>", re.I)
ANSWER_TITLE = re.compile(r"^\W*answers?\W*$", re.I)  # "### ✅ Answer:" says nothing on the back
HINT = re.compile(r"^\s*(?:\(|(?:hint|tip|note|remember|tips|hints|nb)\b\s*[:—–-])", re.I)


def extract(doc: Document) -> Iterator[CardSpec]:
    for section in doc.root.walk():  # the root too: a Q/A pair may stand under the title
        if star.is_answer(doc, section) or title_matches(section, MISTAKES, depth=1):
            continue
        path = section.path
        if section.level and heading_asks(section.title) and not _marked(section.title):
            spec = _heading_card(section, _heading_markdown(doc, section))
            if spec:
                yield spec
            path = path[:-1]  # questions after its answer are its siblings, not part of it
        elif scenario := labelled_answer(section):
            spec = _card(scenario[0], scenario[1], path[:-1], section.line)
            if spec:
                yield spec
            continue
        yield from _line_cards(section, path)
        yield from _details_cards(section, path)
        yield from _item_cards(section, path)


# "**Your answer should include:**", "**Expected answer:**": what follows answers the section's title
_EXPECTED = re.compile(
    r"^\s*(?:\*\*|__)?(?:your answer should (?:include|cover|mention)|(?:a )?(?:good|strong|expected|model|ideal) "
    r"answers?(?: (?:includes?|covers?))?)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*$",
    re.I,
)
_SETUP = re.compile(
    r"^\s*(?:\*\*|__)?(?:setup|situation|context|problem|scenario)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*", re.I
)
_SCENARIO_TITLE = re.compile(r"^\s*(?:scenario|case|exercise)\s*\d*\s*[:.)–—-]\s*", re.I)


def labelled_answer(section: Section) -> tuple[str, tuple[Block, ...]] | None:
    """A titled section that does not ask but says what its answer holds: "### Scenario 1:
    You pushed a secret to main", "**Setup:** ...", "**Your answer should include:**" and a
    list. The front is the title with its setup; the blocks after the label are the back."""
    if not section.level or heading_asks(section.title):
        return None
    blocks = section.blocks
    at = next((n for n, b in enumerate(blocks[:3]) if isinstance(b, Paragraph) and _EXPECTED.match(b.text)), None)
    # "### 2. Group By vs Order By" + "**Answer:** ...": a numbered topic, answered as a question is
    if at is None and _NUMBERED.match(section.path[-1]) and blocks and isinstance(blocks[0], Paragraph) \
            and _ANSWER_LABEL.match(blocks[0].text):
        rest = _ANSWER_LABEL.sub("", blocks[0].text, count=1).strip()
        return question_text(section.path[-1]), (Paragraph(rest, blocks[0].line),) * bool(rest) + blocks[1:]
    if at is None or not blocks[at + 1 :]:
        return None
    setup = " ".join(_SETUP.sub("", b.text).strip() for b in blocks[:at] if isinstance(b, Paragraph))
    title = _SCENARIO_TITLE.sub("", section.path[-1]).strip()
    return (f"{title}: {setup}" if setup else title), blocks[at + 1 :]


def _heading_markdown(doc: Document, section: Section) -> str:
    """The heading's own inline markdown, code spans kept (``Section.title`` is plain):
    "What is the difference between `==` and `===`?"."""
    lines = doc.source.text.split("\n")
    n = section.line - doc.source.body_line
    raw = lines[n] if 0 <= n < len(lines) else ""
    raw = re.sub(r"^\s{0,3}#{1,6}\s+|\s+#+\s*$", "", raw).strip()
    return raw if raw and question_text(raw).replace("`", "") == question_text(section.path[-1]) else section.path[-1]


@dataclass(frozen=True)
class InPlace:
    """A list item that asks and carries its answer."""

    question: str  # inline markdown
    answer: tuple[Block, ...]


def in_place(item: ListItem) -> InPlace | None:
    """The question and answer of an item answered in place, None for any other item
    (one whose nested lines are only hints is a prompt for ``questions``)."""
    if _marked(item.text):
        return None
    head = _BOLD_HEAD.match(item.text)
    if head and asks(head["q"]):
        return InPlace(head["q"], (Paragraph(head["rest"].strip(), item.line), *item.children))
    first, _, rest = item.text.partition("\n")
    more, _, after = rest.partition("\n")
    if first.rstrip()[-1:] not in ("?", ".", ":", "!") and more.rstrip().endswith("?") and asks(first):
        first, rest = f"{first.rstrip()} {more.strip()}", after  # a question wrapped onto a second line
    rest = _ANSWER_LABEL.sub("", _BREAKS.sub("", rest).strip())  # "<br/><br/>" alone answers nothing
    answer = ((Paragraph(rest, item.line + 1),) if rest else ()) + item.children
    if not asks(first) or not answer or all(is_hint(md) for md in _texts(answer)):
        return None
    return InPlace(first, answer)


def is_hint(md: str) -> bool:
    """"Hint: ...", "Tip: ...", "Note: ...", "(If you are short on stories...)": advice on
    answering, not an answer."""
    return bool(HINT.match(plain(md)))


def _texts(blocks: tuple[Block, ...]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield item.text
                yield from _texts(item.children)
        else:
            yield "not a hint"


def _marked(text: str) -> bool:
    return text.lstrip().startswith(MARKERS)


def _card(question_md: str, blocks: tuple[Block, ...] | list[Block], path: tuple[str, ...], line: int,
          steps: bool = False) -> CardSpec | None:
    """``steps``: the blocks list the sub-questions a worked example walks through."""
    front = question_text(question_md)
    blocks = tuple(b for b in blocks if not _about_question(b))
    front, blocks = _with_code_shown(front, _without_lead(_unlettered(blocks)))
    if not steps and _only_asks(blocks) and not _ASKS_FOR_QUESTIONS.search(front):
        return None  # "Tell me about a mistake" then "- How did you handle it?": follow-ups, no answer
    back, extra = fit.answer(blocks)
    if not front or not back or _URL_ONLY.match(back):  # a bare address is where to read, not an answer
        return None
    if _restates(front, back):  # "Describe what happens at boot" -> "Describe what happens at boot Linux"
        return None
    if _ABOUT_GUIDE.match(plain(back)) and not extra:  # "How to use these notes" -> "This guide gives..."
        return None
    if not extra and too_thin(front, back):  # "What is a switch?" -> "Used in LAN"
        return None
    return CardSpec(kind=Kind.QA, front=front, back=back, extra=extra, section_path=path, line=line)


# an answer that only says what the guide itself offers: "This guide provides a framework..."
_ABOUT_GUIDE = re.compile(r"^(?:this|these|the following|in this) (?:guide|notes|document|doc|repo(?:sitory)?|"
                          r"article|page|file|cheat ?sheet|handbook)\b[^\n]{0,300}$", re.I)


def _about_question(block: Block) -> bool:
    """A paragraph of only lines about the question (its difficulty, where it was asked)."""
    return isinstance(block, Paragraph) and all(_ABOUT_QUESTION.match(ln) for ln in block.text.strip().split("\n"))


# "a.  Equates to a table", "ii. 5-byte random value": a letter or roman numeral marks each
# answer of a converted document (pandoc writes them so); markdown reads them as paragraphs
_LETTERED = re.compile(r"^(?:[a-h]|i{1,3}|iv|vi{0,3})\.\s+(?=\S)")


def _unlettered(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Paragraphs lettered ``a.``, ``b.`` (or ``i.``, ``ii.``) from the first block on, as
    one paragraph or a bullet list without their letters; any other answer as it is."""
    lettered: list[Paragraph] = []
    for block in blocks:
        if not (isinstance(block, Paragraph) and _LETTERED.match(block.text)):
            break
        lettered.append(block)
    if not lettered or not re.match(r"[ai]\.", lettered[0].text):
        return blocks
    rest = blocks[len(lettered) :]
    texts = [Paragraph(" ".join(_LETTERED.sub("", b.text).split()), b.line) for b in lettered]
    if len(texts) == 1:
        return (texts[0], *rest)
    return (ListBlock(False, tuple(ListItem(t.text, t.line) for t in texts), texts[0].line), *rest)


# "What is the output of the following code?", "What will this print?": the question asks
# about the code under it, so that code belongs on the front; on the back the front asked
# about nothing the learner could see.
_POINTS_AT_CODE = re.compile(
    r"\b(?:following|this|these|below|given|above)\s+(?:\w+\s+)?"
    r"(?:code|snippet|program|function|query|statement|expression|script|lines?|loop|class|component)\b"
    r"|\bwhat (?:will|would|does|do|is) (?:this|these|the following)\b"
    r"|\b(?:outputs?|prints?|logs?|returns?) (?:of|from) (?:this|the following)\b"
    r"|\b(?:code|snippet|program) below\b",
    re.I,
)


def _with_code_shown(front: str, blocks: tuple[Block, ...]) -> tuple[str, tuple[Block, ...]]:
    """The question with the code it points at, and the answer after that code."""
    first = blocks[0] if blocks else None
    if not (isinstance(first, Opaque) and first.kind == "code" and _POINTS_AT_CODE.search(front)):
        return front, blocks
    shown = f"{front}\n\n{to_markdown((first,))}"
    rest = _without_lead(blocks[1:])
    if not rest:  # the code and no answer after it: the question is unanswered
        return front, ()
    if not screen.fits(shown):  # too tall to ask on one screen: the code stays behind
        return front, blocks
    return shown, rest


def _without_lead(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """The answer without what leads into it: its label ("**Answer**:", "A:", "Sample
    Answer:"), also when the label opens a blockquote (``> **Answer:**``) or a lone list
    item (``* **A:** ...``), and the short lines about the question written before the
    label ("**Difficulty**: Easy", "**What they're testing:** ..."). On the back they
    answer nothing."""
    for n, block in enumerate(blocks[:3]):
        if _header_only(block):
            continue
        if not isinstance(block, Paragraph):
            break
        lines = block.text.strip().split("\n")
        at = next((i for i, ln in enumerate(lines) if _ANSWER_LABEL.match(ln)), None)
        if at is None:
            if not all(_META_LINE.match(ln) or _IMAGE_LINE.match(ln) for ln in lines):
                break
            continue
        if not all(_META_LINE.match(ln) for ln in lines[:at]) or (n and at):
            break
        rest = "\n".join([_ANSWER_LABEL.sub("", lines[at], count=1), *lines[at + 1 :]]).strip()
        return ((Paragraph(rest, block.line),) if rest else ()) + blocks[n + 1 :]
    while blocks and _header_only(blocks[0]):
        blocks = blocks[1:]
    first = blocks[0] if blocks else None
    if isinstance(first, Opaque) and first.kind == "quote" and first.children and _leads(first.children[0]):
        return _without_lead(first.children) + blocks[1:]
    if isinstance(first, ListBlock) and len(first.items) == 1 and _ANSWER_LABEL.match(first.items[0].text):
        item = first.items[0]
        return _without_lead((Paragraph(item.text, item.line), *item.children)) + blocks[1:]
    return blocks


def _header_only(block: Block) -> bool:
    """A table of one header row and no body (``| Level | Easy |`` under each question):
    a label about the question, laid out as a table, not its answer."""
    return isinstance(block, Opaque) and block.kind == "table" and len(block.rows) <= 1


# a question whose answer may well be questions: "What questions would you ask the team?"
_ASKS_FOR_QUESTIONS = re.compile(r"\bquestions?\b|\bask\b", re.I)


def _only_asks(blocks: tuple[Block, ...]) -> bool:
    """Every line of the answer is itself a question: the interviewer's follow-ups, or the
    next questions of a list with a level line among them ("🔴 Advanced Level")."""
    lines = [ln for md in _texts(blocks) for ln in plain(md).split("\n") if ln.strip()]
    if lines and all(ln.rstrip().endswith("?") for ln in lines):
        return True
    asking = [ln for ln in lines if ln.rstrip().endswith("?") or PROMPT.match(ln.strip()) and asks(ln)]
    return len(asking) >= 2 and all(ln in asking or len(ln.split()) <= 3 for ln in lines)


def _restates(front: str, back: str) -> bool:
    """Is the back the question again, with a word or none of its own? ("Yes, X is Y" to
    "Is X Y?" answers it, so a yes or no counts as an answer.)"""
    asked, said = set(words(front)), words(back)
    return len(said) >= 4 and sum(w not in asked for w in said) <= 1 and not _YES_NO.intersection(said)


_YES_NO = frozenset({"yes", "no", "not", "true", "false", "never", "always"})


def _leads(block: Block) -> bool:
    return isinstance(block, Paragraph) and bool(_ANSWER_LABEL.match(block.text))


def _heading_card(section: Section, question: str) -> CardSpec | None:
    """A heading that asks; when its answer is all in subsections that ask (a worked
    example), the back lists them: the steps to walk through."""
    blocks = list(_until_question_line(section.blocks))
    if blocks and isinstance(blocks[0], Paragraph):
        blocks[0] = Paragraph(_ANSWER_LABEL.sub("", blocks[0].text.strip()), blocks[0].line)
    for child in section.children:
        if not heading_asks(child.title):
            blocks += _whole(child)
    steps = [question_text(c.path[-1]) for c in section.children if heading_asks(c.title)]
    if steps and not any(not isinstance(b, Opaque) or b.kind != "html" for b in blocks):
        blocks = [ListBlock(False, tuple(ListItem(q, section.line) for q in steps), section.line)]
        return _card(question, blocks, section.path[:-1], section.line, steps=True)
    return _card(question, blocks, section.path[:-1], section.line)


def _whole(section: Section) -> list[Block]:
    """A subsection that does not ask, as part of its parent's answer."""
    title = [] if ANSWER_TITLE.match(section.title) else [Paragraph(f"**{section.path[-1]}**", section.line)]
    out: list[Block] = [*title, *_until_question_line(section.blocks)]
    for child in section.children:
        if not heading_asks(child.title):
            out += _whole(child)
    return out if len(out) > len(title) else []


def _until_question_line(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in blocks:
        if isinstance(block, Paragraph) and _paragraph_question(block.text):
            return
        yield block


def question_line(line: str) -> str:
    """The question of a bold or ``Q:``-tagged line that asks, else "": the ``author``
    extractor leaves the ``A:`` under such a line to this one."""
    return _question_line(line)


@lru_cache(maxsize=8192)  # author, answers and questions each ask of every first line
def _question_line(line: str) -> str:
    """The question of a bold or ``Q:``-tagged line that asks, else ""."""
    line = _BREAKS.sub("", line).rstrip()  # "**Question**: What is X?<br/>": the break is layout
    m = _BOLD_LINE.match(line) or _TAGGED_LINE.match(line)
    if not m or _marked(line):
        return ""
    q = m["q"].strip()
    return q if q.endswith("?") or asks(q) and (_TAGGED_LINE.match(line) or _NUMBERED.match(q)) else ""


# "\t•\tNodePort: ...": a bullet typed as a character, which markdown leaves in the paragraph
_BULLET_CHAR = re.compile(r"^\s*[•◦▪‣]\s")


def _paragraph_question(text: str) -> str:
    """The question a paragraph opens with: a bold or ``Q:`` line that asks, or a bold prompt
    ("**Explain the scheduler's role.**") whose next line opens the answer (``*Answer:*``, or
    a bullet typed as a character), which tells it from a bold lead-in of an answer
    ("**Describe the impact**")."""
    first, _, rest = text.partition("\n")
    question = _question_line(first)
    if question or not rest or not (_ANSWER_LABEL.match(rest) or _BULLET_CHAR.match(rest)):
        return question
    m = _BOLD_LINE.match(_BREAKS.sub("", first).rstrip())
    return m["q"].strip() if m and not _marked(first) and asks(m["q"]) else ""


def _line_cards(section: Section, path: tuple[str, ...]) -> Iterator[CardSpec]:
    """A bold question line, answered by the rest of its paragraph or the blocks after it."""
    blocks = section.blocks
    for n, block in enumerate(blocks):
        if not isinstance(block, Paragraph):
            continue
        first, _, rest = block.text.partition("\n")
        question = _paragraph_question(block.text)
        if not question and _QUESTION_LABEL.match(first):
            question, rest, n = _labelled_question(rest, blocks, n)
        if not question:
            continue
        answer: list[Block] = []
        rest = _ANSWER_LABEL.sub("", rest.strip())
        if rest:
            answer.append(Paragraph(rest, block.line + 1))
        for after in blocks[n + 1 :]:
            if isinstance(after, Paragraph) and _asks_on_first_line(after.text):
                break
            if isinstance(after, Opaque) and after.kind in ("hr", "html") or _follow_ups(after):
                break
            if isinstance(after, Paragraph) and not answer:
                after = Paragraph(_ANSWER_LABEL.sub("", after.text.strip()), after.line)
            answer.append(after)
        spec = _card(question, answer, path, block.line)
        if spec:
            yield spec


def _details_cards(section: Section, path: tuple[str, ...]) -> Iterator[CardSpec]:
    """``<details><summary>question</summary>answer</details>``."""
    for question, answer, line in details.questions(section):
        spec = _card(question, answer, path, line)
        if spec:
            yield spec


def unanswered_details(doc: Document) -> Iterator[tuple[int, str]]:
    """``(line, question)`` of each ``<details>`` question whose author left the answer
    empty: no card, and ``check`` names it so the author can write one."""
    for section in doc.root.walk():
        for question, answer, line in details.questions(section):
            if not _card(question, answer, section.path, line):
                yield line, question_text(question)


def _item_cards(section: Section, path: tuple[str, ...]) -> Iterator[CardSpec]:
    after = dict(answered_after(section.blocks))
    for block in section.blocks:
        if isinstance(block, ListBlock):
            for item, following in zip(block.items, (*block.items[1:], None), strict=True):
                found = in_place(item)
                if not found and item.line in after:
                    found = InPlace(labelled_item_question(item.text) or item.text, after[item.line])
                if not found and following and answered_by_next(item, following):
                    found = InPlace(item.text, (Paragraph(following.text, following.line), *following.children))
                spec = _card(found.question, found.answer, path, item.line) if found else None
                if spec:
                    yield spec


def _labelled_question(rest: str, blocks: tuple[Block, ...], n: int) -> tuple[str, str, int]:
    """After a bare ``**Question:**`` label: the question on the paragraph's next lines, or
    quoted in the block under it. Returns the question ("" if none asks), what is left of
    the paragraph, and the index of the block the question ended in."""
    if rest.strip():
        question = " ".join(rest.split())
        return (question, "", n) if asks(question) else ("", rest, n)
    after = blocks[n + 1] if n + 1 < len(blocks) else None
    if isinstance(after, Opaque) and after.kind == "quote" and len(after.children) == 1 \
            and isinstance(after.children[0], Paragraph):
        question = " ".join(after.children[0].text.split())
        if asks(question.strip(QUOTES)):
            return question, "", n + 1
    return "", rest, n


def _asks_on_first_line(text: str) -> bool:
    first, _, rest = text.partition("\n")
    return bool(_paragraph_question(text)) or bool(_QUESTION_LABEL.match(first) and asks(" ".join(rest.split())))


def _follow_ups(block: Block) -> bool:
    return isinstance(block, Paragraph) and bool(_FOLLOW_UPS.match(block.text))


def answered_by_next(item: ListItem, following: ListItem) -> bool:
    """"3. How do you check open ports?" then "4. Ans: netstat": the next item answers it."""
    return bool(_ANSWER_LABEL.match(following.text)) and asks(item.text) and not in_place(item)


def answered_after(blocks: tuple[Block, ...]) -> list[tuple[int, tuple[Block, ...]]]:
    """``(line, answer)`` of each numbered question answered by the blocks after its list,
    up to the next question: ``134. Why do we need X?`` then ``- To store...`` (a new
    list), or ``1. What is X?`` over a ``----`` rule then paragraphs. When unanswered
    questions run together into one list, the blocks after it answer its last item. Only
    where the guide answers two or more one-question lists this way: one asking item before
    a paragraph is too little to tell its answer from the text after a list of questions."""
    starts = [n for n, b in enumerate(blocks) if _asking_list(b)]
    pairs, lone = [], 0
    for k, n in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(blocks)
        answer = list(blocks[n + 1 : end])
        while answer and isinstance(answer[0], Opaque) and answer[0].kind == "hr":
            answer.pop(0)
        for m, block in enumerate(answer):
            if isinstance(block, Opaque) and block.kind == "hr" or \
                    isinstance(block, Paragraph) and _paragraph_question(block.text):
                answer = answer[:m]
                break
        if len(answer) == 1 and isinstance(answer[0], ListBlock) and len(answer[0].items) == 1:
            one = answer[0].items[0]  # "- To store objects": one bullet is one answer, not a list
            answer = [Paragraph(one.text, one.line), *one.children]
        if answer and not all(is_hint(md) for md in _texts(tuple(answer))):
            items = blocks[n].items  # type: ignore[union-attr]
            pairs.append((items[-1].line, tuple(answer)))
            lone += len(items) == 1
    return pairs if lone >= 2 else []


def _asking_list(block: Block) -> bool:
    """A numbered list of questions each on one line with nothing under them (a bullet
    that asks is a template's prompt: ``**Task**:`` then ``- What was asked?``; one in bold,
    ``* **Why test at all?**`` then paragraphs, is set apart as a question)."""
    if not isinstance(block, ListBlock):
        return False
    if not block.ordered and not all(_BOLD_LINE.match(item.text) for item in block.items):
        return False
    for item in block.items:
        text = _BREAKS.sub("", item.text).strip()  # "7. What is X?<br/><br/>": the breaks are layout
        text = labelled_item_question(text) or text
        if item.children or "\n" in text or not asks(text) or _marked(text):
            return False
    return True


def labelled_item_question(text: str) -> str:
    """The question under a bare ``Question:`` label in a list item ("1. Heaps" / "Question:"
    / "How does a heap...?"), or "" when the item has no such label."""
    lines = text.split("\n")
    at = next((n for n, ln in enumerate(lines) if _QUESTION_LABEL.match(ln)), None)
    question = " ".join(" ".join(lines[at + 1 :]).split()) if at is not None else ""
    return question if question and asks(question) else ""
