"""A lone ``❌`` line (no better version) as a "what to avoid" Recall note: ``Why not
over-engineer?`` in front, the guide's own reason behind. The reason is what follows the
advice on its line (``❌ Don't X; it breaks Y``, ``— Y``, ``because Y``), what is nested
under it, or the paragraph after it; a line the guide gives no reason for is no card.
"""

from __future__ import annotations

import re

from ..model import CardSpec, Kind, Section
from ..screen import fits
from .flag_pairs import Found
from .flag_pieces import PLACEHOLDER, capital, is_code
from .text import QUOTES, is_link_only, words

# "Don't X; it breaks Y", "Don't X — Y", "Don't X because Y": where the reason starts
_REASON = re.compile(
    r";\s+|\s+[—–-]\s+|:\s+|,?\s+(?:because|since)\s+|,\s+(?:or(?: else)?|otherwise)\s+|\.\s+(?=[A-Z])"
)


def avoid_card(section: Section, found: Found) -> CardSpec | None:
    """A lone ``❌`` line as "why avoid this?", when the guide gives the reason."""
    if not found.marked or is_code(found.weak):
        return None
    weak = " ".join(found.weak.split())
    if found.label:
        subject, reason = found.label, found.reason if weak[:1] in QUOTES else weak
    else:
        subject, reason = _split_reason(weak)
        reason = reason or found.reason
    reason = capital(reason.strip())
    if len(words(reason)) < 3 or is_link_only(reason) or PLACEHOLDER.match(reason) or not fits(reason):
        return None
    where = found.lead or section.path[-1]
    return CardSpec(
        Kind.AVOID, front=_why(subject), back=reason, hint=f"What to avoid · {where}",
        section_path=section.path, line=found.line,
    )


def _split_reason(text: str) -> tuple[str, str]:
    """``Don't X; it breaks Y`` -> (``Don't X``, ``it breaks Y``); separators inside code spans do not count."""
    for m in _REASON.finditer(text):
        if text[: m.start()].count("`") % 2 == 0 and m.start() > 0:
            return text[: m.start()], re.sub(r"^(?:or(?: else)?|otherwise)\b", "otherwise", text[m.end() :])
    return text, ""


def _why(subject: str) -> str:
    """``Don't over-engineer`` -> ``Why not over-engineer?``;
    ``Premature sharding`` -> ``Why avoid premature sharding?``"""
    subject = subject.strip().rstrip(".!:;").strip()
    m = re.match(r"(?:(don'?t|do not|never|avoid)\s+)?(.+)", subject, re.I | re.S)
    assert m
    verb, rest = (m.group(1) or "").lower(), m.group(2)
    lead = {"don't": "Why not", "dont": "Why not", "do not": "Why not", "never": "Why never"}.get(verb, "Why avoid")
    first = rest.split(" ", 1)[0]
    if not (first.isupper() or first[1:] != first[1:].lower() or first.startswith("`")):
        rest = rest[:1].lower() + rest[1:]
    return f"{lead} {rest}?"
