"""Template text never reaches a deck: a build through the CLI, imported with ``anki``."""

from __future__ import annotations

from pathlib import Path

from .conftest import card_texts, import_apkg, run_cli

STUB = """# TITLE_PLACEHOLDER

## Key Themes
- **Concept 1**: TODO
- **Concept 2**: TODO

## Interview Questions
- What is TITLE_PLACEHOLDER?
- Why does TITLE_PLACEHOLDER matter?
"""

REAL = """# Caching

## Key Themes
- **Cache-aside**: The application reads the cache first and loads from the database on a miss
- **Write-through**: Every write goes to the cache and the database together
- **Eviction**: TODO

## Key Principles
- **Principle 1**: TBD
- **Principle 2**: [Insert principle here]
"""


def test_stub_guide_and_sections_give_no_cards(tmp_path: Path, collection) -> None:
    (tmp_path / "stub.md").write_text(STUB, encoding="utf-8")
    (tmp_path / "caching.md").write_text(REAL, encoding="utf-8")
    result = run_cli("build", str(tmp_path), "-o", str(tmp_path / "deck.apkg"))
    assert result.exit_code == 0, result.output
    warnings = result.stderr
    assert "stub.md:1: guide is an unfilled template (its title is the placeholder 'TITLE_PLACEHOLDER')" in warnings
    assert "caching.md:8: section 'Key Principles' is template text ('TBD'); no cards made from it" in result.stderr
    assert "caching.md:6: 1 template block(s) in section 'Key Themes' left out ('TODO')" in result.stderr
    import_apkg(collection, tmp_path / "deck.apkg")
    cards = card_texts(collection)
    assert sorted(c["q"].split("Caching")[0].replace("Key theme · Key Themes", "").strip() for c in cards) == [
        "Cache-aside", "Write-through"]
    assert not [c for c in cards if any(w in c["q"] + c["a"] for w in ("TODO", "TBD", "PLACEHOLDER", "Insert"))]
