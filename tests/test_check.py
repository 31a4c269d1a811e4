"""``deckbuilder check`` and ``deckbuilder cards``: inspection without writing a deck."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import SEED, SEED_NOTES, copy_seed, run_cli

LINT_ME = """# Lint Me

## Common Questions
1. Tell me about a time you took initiative without being asked

## Key Themes to Demonstrate
✅ **Ownership**: {long}

## Study Notes
- **Alpha**: one
- **Beta**: two
- **Gamma**: three

## Raw
<div onclick="x()">hello</div>
"""


def test_check_reports_each_problem(tmp_path: Path) -> None:
    copy_seed(tmp_path)
    (tmp_path / "lint-me.md").write_text(LINT_ME.format(long=" ".join(["word"] * 100)), encoding="utf-8")
    result = run_cli("check", str(tmp_path))
    out = result.stdout
    assert ("initiative-proactivity.md: warning: repaired broken encoding (UTF-8 misread as mac_roman); "
            "run `deckbuilder check --fix-encoding` to repair the file") in out
    assert "lint-me.md:4: warning: same card as " in out
    assert "lint-me.md:7: warning: back is 100 words" in out
    assert ("lint-me.md:9: warning: section 'Study Notes' looks like study material (a list of bold terms) "
            "but gave no cards") in out
    assert "lint-me.md:15: warning: raw HTML is escaped on cards, not rendered" in out
    assert result.exit_code == 0  # warnings only
    assert run_cli("check", "--strict", str(tmp_path)).exit_code == 1
    assert not list(tmp_path.glob("*.apkg")) and not (tmp_path / "deckbuilder.lock").exists()


def test_check_errors_exit_non_zero(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_bytes(b"caf\xe9")
    result = run_cli("check", str(tmp_path))
    assert result.exit_code == 1
    assert "bad.md:1: error: not UTF-8 text" in result.stdout


def test_fix_encoding_rewrites_with_backup(tmp_path: Path) -> None:
    guide = copy_seed(tmp_path)
    result = run_cli("check", "--fix-encoding", str(tmp_path))
    assert "repaired the encoding (original kept as initiative-proactivity.md.bak)" in result.stdout
    assert "broken encoding" not in result.stdout.split("repaired the encoding")[1]
    assert (tmp_path / "initiative-proactivity.md.bak").read_bytes() == SEED.read_bytes()
    assert "✅ **Better**" in guide.read_text(encoding="utf-8")
    assert "broken encoding" not in run_cli("check", str(tmp_path)).stdout


def test_cards_json_lists_every_card_with_its_source(tmp_path: Path) -> None:
    copy_seed(tmp_path)
    rows = json.loads(run_cli("cards", str(tmp_path), "--format", "json").stdout)
    assert len(rows) == SEED_NOTES
    flag = next(r for r in rows if r["kind"] == "red_flag")
    assert flag["note_type"] == "Deckbuilder Red Flag"
    assert flag["fields"]["Label"] == "Waiting for permission"
    assert flag["source"].endswith("initiative-proactivity.md:793")
    assert flag["deck"] == "Interview Prep::Initiative & Proactivity"
    assert len(flag["guid"]) == 10 and flag["tags"]


def test_cards_table(tmp_path: Path) -> None:
    copy_seed(tmp_path)
    lines = run_cli("cards", str(tmp_path)).stdout.splitlines()
    assert lines[-1] == f"{SEED_NOTES} cards"
    assert "initiative-proactivity.md:9" in lines[0] and "Tell me about a time you took initiative" in lines[0]


def test_check_names_questions_left_unanswered_in_public_shapes(tmp_path: Path) -> None:
    """A heading question with only a link back to the contents, and a ``<details>`` whose
    answer is empty: no card, and check says so."""
    (tmp_path / "sql.md").write_text(
        "# SQL\n\n## What is a covering index?\n[Back to top](#sql)\n\n## Containers\n\n<details>\n"
        "<summary>What does a pause do to a container?</summary><br><b>\n</b></details>\n",
        encoding="utf-8",
    )
    out = run_cli("check", str(tmp_path)).stdout
    assert "sql.md:3: warning: the question 'What is a covering index?' has no answer under it; no card made" in out
    assert "sql.md:8: warning: the question 'What does a pause do to a container?' has an empty answer" in out


def test_check_json_lists_every_finding_for_tools(tmp_path: Path) -> None:
    """``--format json``: stdout is one JSON document (the findings, where, how bad) and the
    exit code is the text format's; ``--strict`` lists every warning as an error."""
    (tmp_path / "lint-me.md").write_text(LINT_ME.format(long=" ".join(["word"] * 100)), encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"caf\xe9")

    result = run_cli("check", str(tmp_path), "--format", "json")
    report = json.loads(result.stdout)

    assert result.exit_code == 1  # bad.md is not UTF-8
    found = {(Path(f["path"]).name, f["line"], f["level"]) for f in report["findings"]}
    assert ("bad.md", 1, "error") in found
    assert ("lint-me.md", 7, "warning") in found  # the 100-word back
    assert any(f["message"].startswith("raw HTML is escaped") and f["line"] == 15 for f in report["findings"])
    assert report["errors"] == 1 and report["warnings"] == len(report["findings"]) - 1

    (tmp_path / "bad.md").unlink()
    assert run_cli("check", str(tmp_path), "--format", "json").exit_code == 0  # warnings only
    strict = run_cli("check", str(tmp_path), "--format", "json", "--strict")
    assert strict.exit_code == 1
    assert {f["level"] for f in json.loads(strict.stdout)["findings"]} == {"error"}
