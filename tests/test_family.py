"""Fixture-driven: sibling guides that vary in headings, emoji, labels and markers.

``fixtures/family/EXPECTED.yaml`` holds hand counts per kind and known fronts;
``fixtures/golden/*.yaml`` holds every card spec, so an extractor change shows as a
readable diff. Regenerate the golden files with ``UPDATE_GOLDEN=1 pytest tests/test_family.py``
(the run that writes them fails, so it cannot pass unseen; rerun without it).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from deckbuilder.documents import load_documents

from .conftest import FIXTURES, SEED, check_golden

FAMILY = FIXTURES / "family"
GOLDEN = FIXTURES / "golden"
EXPECTED = yaml.safe_load((FAMILY / "EXPECTED.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def family_docs():
    return {doc.rel: doc for doc in load_documents([FAMILY])}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_counts_per_kind(family_docs, rel: str) -> None:
    counts = Counter(spec.kind.value for spec in family_docs[rel].specs)
    expected = {k: v for k, v in EXPECTED[rel]["counts"].items() if v}
    assert dict(counts) == expected


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_known_fronts(family_docs, rel: str) -> None:
    specs = family_docs[rel].specs
    texts = {s.front for s in specs} | {s.label for s in specs}
    for front in EXPECTED[rel]["fronts"]:
        assert front in texts


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_no_junk(family_docs, rel: str) -> None:
    for spec in family_docs[rel].specs:
        assert spec.front.strip() and "](" not in spec.front and "```" not in spec.front, spec
        assert "|" not in spec.front.replace("||", ""), spec  # nothing from tables
        assert spec.section_path[:1] not in (("Overview",), ("Related Topics",)), spec


def test_folders_become_subdecks(family_docs) -> None:
    assert family_docs["leadership/leading-without-authority.md"].deck == (
        "Interview Prep::Leadership::Leading Without Authority"
    )


def _golden_cases() -> list[Path]:
    return sorted(FAMILY.rglob("*.md")) + [SEED]


@pytest.mark.parametrize("path", _golden_cases(), ids=lambda p: p.name)
def test_golden_specs(path: Path) -> None:
    (doc,) = load_documents([path])
    data = [
        {
            "line": s.line,
            "kind": s.kind.value,
            "front": s.front,
            **({"back": s.back} if s.back else {}),
            **({"label": s.label} if s.label else {}),
            **({"extra": s.extra} if s.extra else {}),
            **({"outline": [[label, list(lines)] for label, lines in s.outline.rows]} if s.outline else {}),
            "section": " › ".join(s.section_path),
        }
        for s in doc.specs
    ]
    check_golden(GOLDEN / (path.stem + ".yaml"), yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
