"""Per-shape fixture cases: small markdown inputs beside the cards they must give.

Each file in ``fixtures/cases/`` holds cases in markdown-it-py's fixture style::

    a heading question with its answer
    .
    ## What is event delegation?
    One listener on a parent handles events from its children.
    .
    - kind: qa
      front: What is event delegation?
      back: One listener on a parent handles events from its children.
    .

The title line, then the guide (a ``# Title`` is added when it has none), then the
expected cards as YAML: a list in document order, each with ``kind`` and ``front`` and
any of ``back``, ``extra``, ``label``, ``hint`` (only the keys given are compared;
``back_contains`` checks a substring). ``[]`` means "no card". A failure names the
fixture file and the case's line.

Each file is named after the module of ``deckbuilder/extractors/`` it exercises
(``questions.md`` for ``questions.py``), every registered extractor has one, and the test
id starts with it: ``pytest tests/test_cases.py -k metrics`` runs one extractor's cases.
A bug found in a real guide becomes one more case in its extractor's file. The whole-guide
goldens (``test_family.py``) sit beside these and catch what no small case foresaw.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from markdown_it.utils import read_fixture_file

from deckbuilder import extractors
from deckbuilder.extractors import REGISTRY, extract_all
from deckbuilder.reader import parse_source
from deckbuilder.sections import build_document

CASES = Path(__file__).parent / "fixtures" / "cases"
EXTRACTOR_MODULES = Path(extractors.__file__).parent
KEYS = ("kind", "front", "back", "extra", "label", "hint")


def _cases():
    for path in sorted(CASES.glob("*.md")):
        for line, title, source, expected in read_fixture_file(path):
            yield pytest.param(path, line + 1, source, expected, id=f"{path.stem}:{line + 1}:{title[:40]}")


def cards_of(markdown: str) -> list[dict[str, str]]:
    """The card specs a guide gives, as plain dicts of the compared keys."""
    if not markdown.lstrip().startswith("# "):
        markdown = "# Fixture\n\n" + markdown
    document = build_document(parse_source(markdown.encode(), "case.md", "case.md"))
    return [
        {"kind": s.kind.value, "front": s.front, "back": s.back, "extra": s.extra, "label": s.label, "hint": s.hint}
        for s in extract_all(document)
    ]


@pytest.mark.parametrize(("path", "line", "source", "expected"), list(_cases()))
def test_case(path: Path, line: int, source: str, expected: str) -> None:
    wanted = yaml.safe_load(expected) or []
    got = cards_of(source)
    where = f"{path.name}:{line}"
    shown = yaml.safe_dump(got, allow_unicode=True, sort_keys=False, width=100)
    assert len(got) == len(wanted), f"{where}: expected {len(wanted)} card(s), got {len(got)}:\n{shown}"
    for n, (card, want) in enumerate(zip(got, wanted, strict=True), 1):
        for key, value in want.items():
            if key == "back_contains":
                assert value in card["back"], f"{where}: card {n}: back lacks {value!r}:\n{shown}"
            else:
                assert key in KEYS, f"{where}: unknown key {key!r}"
                assert card[key] == value, f"{where}: card {n}: {key} differs:\n{shown}"


def test_every_case_file_has_cases() -> None:
    files = sorted(CASES.glob("*.md"))
    assert files
    for path in files:
        assert read_fixture_file(path), f"{path.name} has no cases"


def test_every_registered_extractor_has_a_case_file() -> None:
    missing = [name for name in REGISTRY if not (CASES / f"{name}.md").is_file()]
    assert not missing, f"no fixture file in {CASES} for extractor(s) {missing}: add NAME.md with a case or more"


def test_every_case_file_is_named_after_an_extractor_module() -> None:
    modules = {path.stem for path in EXTRACTOR_MODULES.glob("*.py")}
    strays = [path.name for path in sorted(CASES.iterdir()) if path.suffix != ".md" or path.stem not in modules]
    assert not strays, f"{strays} in {CASES}: name each file after the module of deckbuilder/extractors/ it tests"
