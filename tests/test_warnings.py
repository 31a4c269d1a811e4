"""Warnings are data: every warning about a guide is returned by the step that finds it,
kept with the guide's cached result, shown again on every build, counted by the CLI and
failed on by ``--strict``; ``check`` and ``build`` say the same about a guide.

The three drift bugs of issue 13, each through the real CLI: ``check`` linting a guide the
build skips, warnings that vanished once a guide was cached, ``--strict`` passing on
warnings it did not count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deckbuilder.build import build
from deckbuilder.cache import CACHE_DIR
from deckbuilder.errors import BuildErrors, FrontMatterError

from .conftest import run_cli

# warns twice from the parse and the extractors: a skip comment with nothing after it, and
# a Q: whose answer never comes
WARNED = """# Caching

## Key Themes
- **Cache-aside**: the application loads the cache on a miss

Q: What is write-through caching?

## Eviction
- **LRU**: evicts the least recently used entry

<!-- deckbuilder: skip -->
"""
QUIET = """# Indexes

## Key Themes
- **Covering index**: holds every column the query reads
"""
SKIPPED = """---
skip: true
---
# Drafts

## Questions
### What is a B-tree?

<!-- deckbuilder: frobnicate -->
"""
GUIDE_WARNINGS = (
    "warned.md:6: Q:/A: pair needs an A: line after it; no card made",
    "warned.md:11: skip comment has nothing after it to skip",
)


def _warning_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning: ")]


def _write(folder: Path, **guides: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in guides.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return folder


def test_check_skips_what_the_build_skips_and_says_what_the_build_says(tmp_path: Path) -> None:
    """Drift 1: ``check`` ran its own pipeline, ignored front matter and linted a guide
    marked ``skip: true``. Now it goes through the build's per-guide step."""
    guides = _write(tmp_path / "guides", warned=WARNED, quiet=QUIET, skipped=SKIPPED)
    built = run_cli("build", str(guides), "-o", str(tmp_path / "deck.apkg"))
    assert built.exit_code == 0, built.output
    checked = run_cli("check", str(guides))
    assert "skipped.md" not in built.output
    assert "skipped.md" not in checked.stdout  # no "B-tree has no answer", no "comment not understood"
    said_by_build = [line.removeprefix("warning: ") for line in _warning_lines(built.stderr)]
    assert len(said_by_build) == 2
    for warning in said_by_build:  # every warning the build gives, check gives too, at the same place
        path_line, _, message = warning.partition(": ")
        assert f"{path_line}: warning: {message}" in checked.stdout


def test_warnings_are_shown_again_on_every_build(tmp_path: Path) -> None:
    """Drift 2: warnings found while parsing (sections) and extracting (author syntax) were
    logged on the first build and never again once the guide was cached. They come back
    from every place a build can take a guide from: the no-change fast path, the build
    store (another guide edited), the per-file cache (the store gone)."""
    guides = _write(tmp_path / "guides", warned=WARNED, quiet=QUIET)
    out = tmp_path / "deck.apkg"

    def warnings_of_a_build() -> list[str]:
        result = run_cli("build", str(guides), "-o", str(out))
        assert result.exit_code == 0, result.output
        return _warning_lines(result.stderr)

    first = warnings_of_a_build()
    assert len(first) == 2 and all(any(w in line for line in first) for w in GUIDE_WARNINGS), first
    assert warnings_of_a_build() == first  # nothing changed: the stored report
    (guides / "quiet.md").write_text(QUIET + "- **Partial index**: indexes only some rows\n", encoding="utf-8")
    assert warnings_of_a_build() == first  # warned.md kept from the build store
    import sqlite3

    with sqlite3.connect(guides / CACHE_DIR / "cache.sqlite") as conn:  # the store and manifest gone, entries kept
        conn.executescript("DELETE FROM docs; DELETE FROM notes; DELETE FROM cards; "
                           "DELETE FROM meta WHERE name = 'manifest';")
    conn.close()
    assert warnings_of_a_build() == first  # warned.md read back from its cache entry


def test_strict_fails_on_every_warning_and_the_count_is_what_was_printed(tmp_path: Path) -> None:
    """Drift 3: warnings the build gave (no material; two guides with one title) were not
    counted by ``check``, so ``check --strict`` passed on them; ``build`` had no --strict."""
    guides = _write(tmp_path / "guides", quiet=QUIET, again=QUIET.replace("Covering", "Partial"),
                    empty="# Empty\n\nJust a sentence with nothing to learn.\n")
    checked = run_cli("check", str(guides))
    printed = [line for line in checked.stdout.splitlines() if ": warning: " in line]
    assert any("empty.md: warning: no study material found" in line for line in printed), checked.stdout
    assert any("the title 'Indexes' is also used by" in line for line in printed), checked.stdout
    assert checked.stdout.strip().endswith(f"0 error(s), {len(printed)} warning(s)")
    assert checked.exit_code == 0
    strict = run_cli("check", "--strict", str(guides))
    assert strict.stdout.strip().endswith(f"{len(printed)} error(s), 0 warning(s)")
    assert strict.exit_code == 1

    out = tmp_path / "deck.apkg"
    built = run_cli("build", str(guides), "-o", str(out))
    assert built.exit_code == 0
    warned = _warning_lines(built.stderr)
    assert len(warned) == 3  # no material, and each of the two guides titled "Indexes"
    assert "3 warnings (2 deck-name, 1 no-material)" in built.stderr
    failed = run_cli("build", "--strict", str(guides), "-o", str(out))  # the no-change fast path too
    assert failed.exit_code == 1
    assert "error: 3 warnings (2 deck-name, 1 no-material), and --strict makes them errors" in failed.stderr
    quiet = _write(tmp_path / "quiet", quiet=QUIET)
    assert run_cli("build", "--strict", str(quiet), "-o", str(tmp_path / "q.apkg")).exit_code == 0


def test_two_guides_that_are_one_guide_id_warn_once_on_every_build(tmp_path: Path) -> None:
    """``a/intro.md`` and ``b/intro.md`` built together are both guide ``intro``: the
    second one's cards repeat the first one's and are skipped. That was logged once per card
    on the first build only, counted as "other", and gone from every later build."""
    a = _write(tmp_path / "a", intro=QUIET)
    b = _write(tmp_path / "b", intro=QUIET)
    out = tmp_path / "deck.apkg"
    expected = (f"warning: {b / 'intro.md'}:4: 1 card(s) are the same as in {a / 'intro.md'} (both are guide "
                "'intro'); skipped: rename one of the files")
    for _ in range(2):  # built, then the no-change fast path
        result = run_cli("build", str(a), str(b), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert [line for line in _warning_lines(result.stderr) if "same as" in line] == [expected]
        assert "1 duplicate" in result.stderr
    assert run_cli("build", "--strict", str(a), str(b), "-o", str(out)).exit_code == 1


def test_logged_warnings_outside_a_guide_count_under_strict(tmp_path: Path) -> None:
    """A settings file's unknown key is no guide's warning, but it is a warning: counted."""
    guides = _write(tmp_path / "guides", quiet=QUIET)
    (guides / "deckbuilder.yaml").write_text("colour: blue\n", encoding="utf-8")
    result = run_cli("build", "--strict", str(guides), "-o", str(tmp_path / "deck.apkg"))
    assert "warning: deckbuilder.yaml: unknown key 'colour'" in result.stderr
    assert "1 warning (1 other)" in result.stderr
    assert result.exit_code == 1


def test_worker_errors_keep_their_class_path_and_line(tmp_path: Path) -> None:
    """An error raised in a worker process came back as a bare message: the class, the file
    and the line were lost on the way (an exception pickles by its message alone)."""
    bad = "---\ntitle: [unclosed\n---\n# Bad\n"
    guides = _write(tmp_path / "guides", a=QUIET, b=bad, c=QUIET.replace("Indexes", "Joins"),
                    d=bad, e=QUIET.replace("Indexes", "Locks"))
    with pytest.raises(BuildErrors) as caught:
        build([guides], tmp_path / "deck.apkg", workers=2, use_cache=False)
    errors = caught.value.errors
    assert [type(e) for e in errors] == [FrontMatterError, FrontMatterError]
    assert [(Path(e.path).name, e.line) for e in errors] == [("b.md", 3), ("d.md", 3)]


def test_json_report_holds_every_guide_and_warning(tmp_path: Path) -> None:
    import json

    guides = _write(tmp_path / "guides", warned=WARNED, quiet=QUIET)
    result = run_cli("build", "--format", "json", str(guides), "-o", str(tmp_path / "deck.apkg"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # one JSON document, nothing else on stdout
    assert [Path(g["path"]).name for g in report["guides"]] == ["quiet.md", "warned.md"]
    assert report["totals"]["added"] == report["notes"] == 3
    assert sorted((Path(w["path"]).name, w["line"], w["kind"]) for w in report["warnings"]) == [
        ("warned.md", 6, "author-syntax"), ("warned.md", 11, "skip-comment")]
    assert report["warning_kinds"] == {"author-syntax": 1, "skip-comment": 1}
    assert not result.stderr  # the warnings are in the document
