"""Stable note identity: a GUID from what the note is, never from its whole content.

Editing an answer keeps the GUID (the note updates in place); moving a card to another
document, section or kind, or rewriting its front, makes a new one, which ``matching``
then replaces with the old note's GUID when the new note continues it.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from .model import CLOZE_DELETION, CardSpec, Kind

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


@lru_cache(maxsize=8192)  # every note of a section normalises the same headings again
def normalise(text: str) -> str:
    """Case, punctuation, quotes, markup and spacing do not change identity."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def normalise_front(text: str) -> str:
    """A front as identity reads it: cloze deletions as their answers (hints dropped), normalised."""
    return normalise(CLOZE_DELETION.sub(r"\1", text) if "{{" in text else text)


def identity_key(spec: CardSpec) -> str:
    """The text that names the note within its document, section and kind."""
    if spec.kind in (Kind.FRAMEWORK, Kind.FORMULA):
        return normalise(spec.label)  # steps may be edited; the framework stays the same note
    if spec.kind is Kind.RED_FLAG:
        return normalise(f"{spec.label} | {spec.front}")
    return normalise_front(spec.front)


# Anki's base-91 alphabet for GUIDs
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


def guid_for(*values: str) -> str:
    """A GUID the way genanki's ``guid_for`` makes it (the first 8 bytes of a SHA-256, in
    Anki's base 91), here so that per-guide code needs nothing of the packager; a test
    holds the two equal."""
    number = int.from_bytes(hashlib.sha256("__".join(values).encode("utf-8")).digest()[:8], "big")
    digits = []
    while number > 0:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def note_guid(doc_id: str, spec: CardSpec) -> str:
    return guid_for("deckbuilder", doc_id, _section(spec.section_path), spec.kind.value, identity_key(spec))


@lru_cache(maxsize=4096)  # every note of a section has the same path
def _section(path: tuple[str, ...]) -> str:
    return " / ".join(normalise(p) for p in path)
