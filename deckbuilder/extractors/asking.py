"""Does a line of a guide ask something? Shared by ``answers`` (headings and bold lines
that ask) and ``questions`` (only real questions in question lists).

A line asks when it ends in ``?`` or opens with an
interrogative ("How does...", "What is...") or an interviewer's prompt verb ("Tell me",
"Walk me through", "Explain", "Design a..."). Prompt verbs double as plain nouns in
headings ("Design Patterns", "Compare Tables"), so a prompt verb counts only when the
next word is lowercase, an acronym or code: "Design a rate limiter", "Explain ACID".
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import no_emoji, unquote

# "Q1:", "Q:", "1Q:", "Question 3:", "3.", "3)", "1️⃣" in front of a question
LABEL = re.compile(
    r"^\s*(?:Q(?:uestion)?\s*\d*\s*[:.)-]|Q\d+\b\s*[:.)-]?|\d+Q\s*[:.)-]|\d{1,3}[.)]|\d\ufe0f?\u20e3)\s*", re.I
)
INTERROGATIVE = re.compile(
    r"^(?:what|what's|whats|why|how|how's|when|where|which|who|whom|whose)\b(?!\s+(?:it|this|that)\s+\w+$)", re.I
)
PROMPT = re.compile(
    r"^(?:(?:briefly|quickly|clearly)\s+)?"
    r"(?:tell me|walk (?:me|us) through|talk (?:me|us) through|talk about|give (?:me |us )?(?:an example|examples)|"
    r"explain|describe|design|compare|contrast|define|implement|write|find|discuss|differentiate|"
    r"distinguish|outline|summari[sz]e|list|name|share|how would you|can you|could you|"
    r"(?:the\s+)?differences?\s+between)\b",
    re.I,
)
# a cheap first look: an asking word among a line's first words
_OPENING = re.compile(
    r"\b(?:what|whats|why|how|when|where|which|who|whom|whose|tell|walk|talk|give|explain|describe|design|"
    r"compare|contrast|define|implement|write|find|discuss|differentiate|distinguish|outline|summari[sz]e|list|"
    r"name|share|can|could|differences?)\b",
    re.I,
)
# what a prompt verb must be followed by to be a prompt: a lowercase word, an acronym, code
_PROMPT_OBJECT = re.compile(r"^\s*(?:[a-z]|[A-Z0-9]{2,}\b|`|\"|'|“)")
# what follows an interrogative in a heading that asks without a "?": "How does...",
# "When to use...", not "What interviewers look for"
_HEADING_VERB = re.compile(
    r"^\w+\s+(?:is|are|was|were|do|does|did|can|could|would|should|will|shall|has|have|happens?|"
    r"causes?|makes?|goes|many|much)\b|^(?:how|when|where|why|which)\s+to\b|^\w+'s\b",
    re.I,
)
# who asks it, in front of a question from a list: "*Acme question* (https://...) – Tell me..."
ASKER = re.compile(r"^\s*\*?[^*\n–—]{0,40}?\bquestion\*?\s*(?:\(https?://[^)\s]*\))?[\s*]*[–—]\s*\**(?=\w)", re.I)
BARE_URL = re.compile(r"\s*\(https?://[^)\s]*\)\**")
_TRAILING_BREAKS = re.compile(r"(?:\s*<br\s*/?>)+\s*$", re.I)
_BOLD = re.compile(r"\*\*|__|(?<![\w`])\*(?=\S)|(?<=\S)\*(?![\w`])")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# headings that name a list of questions rather than ask one
LIST_TITLE = re.compile(r"\bquestions\b|\bfaqs?\b|follow[- ]?ups?\b|\bprompts\b", re.I)


@lru_cache(maxsize=8192)  # questions, answers and definitions each ask of the same lines
def question_text(md: str) -> str:
    """A line of inline markdown as a card's front: bold, links, emoji, quotes and a leading
    ``Q1:`` or ``3.`` removed, code spans kept: ``**Q2: Explain the CAP theorem**`` ->
    ``Explain the CAP theorem``."""
    md = BARE_URL.sub("", _TRAILING_BREAKS.sub("", md))
    text = LABEL.sub("", _BOLD.sub("", _LINK.sub(r"\1", md)).strip(), count=1)
    text = LABEL.sub("", no_emoji(text), count=1)
    return unquote(text.strip()).strip()


@lru_cache(maxsize=8192)  # as question_text: each line is asked about five times
def asks(md: str) -> bool:
    """Does this line ask something an interviewer could ask? A ``Q:`` label alone does
    not make a topic ("Q4: Database Indexing") a question; who asks it ("Acme question –")
    is not part of the question."""
    md = ASKER.sub("", md, count=1)
    if "?" not in md and not _OPENING.search(md[:60]):
        return False  # most lines of a guide: no question mark, no asking word up front
    text = question_text(md)
    if len(text.split()) < 2 or not re.search(r"[A-Za-z]", text):
        return False
    if text.endswith("?"):
        return True
    if INTERROGATIVE.match(text):
        return len(text.split()) >= 3
    m = PROMPT.match(text)
    if m is None:
        return False
    # two-word prompts ("Tell Me About Yourself") are never nouns; one word may be ("Design Patterns"),
    # but not in a sentence of three words or more ("Explain Round Robin.")
    return " " in m.group().strip() or bool(_PROMPT_OBJECT.match(text[m.end() :])) \
        or text.endswith(".") and len(text.split()) >= 3


@lru_cache(maxsize=1024)  # every extractor asks of every heading; a guide has few
def heading_asks(title: str) -> bool:
    """A heading that asks, and not one that names a list ("Common Questions") or a topic
    ("What interviewers look for"): without a ``?`` an interrogative needs its verb."""
    text = question_text(title)
    if text.endswith("?"):
        return asks(title)
    if LIST_TITLE.search(text):
        return False
    if INTERROGATIVE.match(text):
        return bool(_HEADING_VERB.match(text)) and asks(title)
    return asks(title)
