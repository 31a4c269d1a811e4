"""Key themes (``✅ **Term**: definition`` or ``- **Term**: definition`` under a themes
or principles heading) become Recall cards: the term in front, its definition behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import CardSpec, Document, Kind, Section
from .labelled import labelled_lines
from .memo import once_per_document
from .text import sections, title_matches

THEME_HEADING = re.compile(
    r"\bthemes?\b|principles?|qualit(y|ies)|traits?|competenc|values\b|key concepts?|"
    r"what (they|interviewers?)('re| are)? look(ing)? for|signals?\b|demonstrate",
    re.I,
)
NOT_THEMES = re.compile(r"red flags?|mistakes?|avoid|metrics?|framework|questions?", re.I)
# "**Q:** How do you define a trait?" under "## Traits & Generics": a question's tag, no theme
QA_TAG = re.compile(r"^(q|a|question|answer)\s*\d*$", re.I)


@once_per_document
def extract(doc: Document) -> Iterator[CardSpec]:
    for section in sections(doc):
        if not _is_theme_section(section):
            continue
        for entry in labelled_lines(section.blocks):
            if entry.marker == "❌" or entry.label.lower() in ("better", "bad", "good") or QA_TAG.match(entry.label):
                continue
            yield CardSpec(
                kind=Kind.THEME,
                front=entry.label,
                back=entry.rest,
                label=entry.label,
                hint=f"Key theme · {section.path[-1]}",
                section_path=section.path,
                line=entry.line,
            )


def _is_theme_section(section: Section) -> bool:
    return title_matches(section, THEME_HEADING, depth=1) and not title_matches(section, NOT_THEMES, depth=1)
