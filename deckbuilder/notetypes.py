"""The three note types, with ids that never change once released.

Anki matches note types on import by id, and fields and templates by their ``id`` keys,
so renaming a field or improving a template updates collections in place. The field
lists below are frozen: append new fields at the end, never reorder or remove.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .model import FIELDS, NoteKind


@dataclass(frozen=True)
class NoteTypeSpec:
    kind: NoteKind
    model_id: int
    name: str
    template: str  # file stem in templates/
    cloze: bool
    field_ids: tuple[int, ...]
    template_id: int


NOTE_TYPES: dict[NoteKind, NoteTypeSpec] = {
    NoteKind.RECALL: NoteTypeSpec(
        NoteKind.RECALL, 1733950001, "Deckbuilder Recall", "recall", False,
        (7304510011, 7304510012, 7304510013, 7304510014, 7304510015), 7304510101,
    ),
    NoteKind.CLOZE: NoteTypeSpec(
        NoteKind.CLOZE, 1733950002, "Deckbuilder Cloze", "cloze", True,
        (7304520011, 7304520012, 7304520013, 7304520014), 7304520101,
    ),
    NoteKind.RED_FLAG: NoteTypeSpec(
        NoteKind.RED_FLAG, 1733950003, "Deckbuilder Red Flag", "redflag", False,
        (7304530011, 7304530012, 7304530013, 7304530014, 7304530015), 7304530101,
    ),
}


@dataclass(frozen=True)
class Templates:
    front: str
    back: str
    css: str

    @property
    def digest(self) -> str:
        """Changes exactly when the HTML or CSS changes."""
        return hashlib.sha256("\x1f".join((self.front, self.back, self.css)).encode()).hexdigest()


@lru_cache(maxsize=1)
def template_dir() -> Traversable:
    """``templates/`` ships in the wheel as ``deckbuilder.templates``; a source checkout
    (or an editable install, which cannot map it) reads the folder beside the package."""
    beside = Path(__file__).resolve().parent.parent / "templates"
    if (beside / "cards.css").is_file():
        return beside
    return resources.files("deckbuilder.templates")


def load_templates(kind: NoteKind, override_dir: str = "") -> Templates:
    """Read a note type's HTML and the shared CSS, preferring files in ``override_dir``."""
    spec = NOTE_TYPES[kind]

    def read(name: str) -> str:
        if override_dir and (Path(override_dir) / name).is_file():
            return (Path(override_dir) / name).read_text(encoding="utf-8")
        return template_dir().joinpath(name).read_text(encoding="utf-8")

    return Templates(read(f"{spec.template}_front.html"), read(f"{spec.template}_back.html"), read("cards.css"))


def model_json_fields(kind: NoteKind) -> list[dict[str, object]]:
    spec = NOTE_TYPES[kind]
    return [{"name": name, "id": fid} for name, fid in zip(FIELDS[kind], spec.field_ids, strict=True)]
