"""Answers too thin to study: personal notes that were never finished.

A guide written as study notes keeps the questions its author meant to answer and, under
some, only a reminder or the start of one. A card made from such a line asks a question
its back does not answer, and the learner deletes it; the question is better left out,
as if unanswered. Three shapes are told apart from a short real answer:

- a chain left unfinished: the back ends in an arrow ("Syn => Syn-Ack =>");
- a note to self: the back tells the reader what to study ("Know the difference between
  X and Y", "Look up ...", "TODO: ...") in a line or two;
- only where a thing is used ("Used in LAN") under a question that asks what it is;
- a word or two under a question that asks why or how a thing works, which no word or
  two explains ("Is TCP connectionless? Why?" -> "Three-way handshake"); "how do you..."
  asks for a command or a step, and a word or two may be it.
"""

from __future__ import annotations

import re

from .text import plain

_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", re.M)  # a back of one bullet reads as its text
_UNFINISHED = re.compile(r"(?:=>|->|→|⇒)\s*$")
_NOTE_TO_SELF = re.compile(
    r"^(?:know|learn|study|revise|review|research|remember|understand) (?:the difference|how|what|why|when|about)\b"
    r"|^(?:look (?:it |this |that )?up|need to (?:learn|know|study|review|check|look)|to ?do\b|tbd\b|check this)",
    re.I,
)
_WHERE_USED = re.compile(r"^used (?:in|on|by|within|inside|across|at) [^.\n]{0,30}\.?$", re.I)
_ASKS_WHAT = re.compile(r"^what (?:is|are)\b", re.I)
_ASKS_WHY_OR_HOW = re.compile(r"\bwhy\b|^(?:explain|describe)\b|^how (?:does|do|is|are) (?!you\b|we\b|i\b)", re.I)


def too_thin(front: str, back_md: str) -> bool:
    """Is ``back_md`` only the start of an answer to ``front``, nothing a learner could recall?"""
    back = " ".join(plain(_MARKER.sub("", back_md)).split())
    words = back.split()
    if not words or len(words) > 30:
        return False
    if _UNFINISHED.search(back) or _NOTE_TO_SELF.match(back):
        return True
    if _WHERE_USED.match(back) and _ASKS_WHAT.match(front):
        return True
    return len(words) <= 2 and bool(_ASKS_WHY_OR_HOW.search(front))
