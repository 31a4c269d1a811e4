"""The suite's own habits: an update of a golden file never passes, CI explores the same
hypothesis examples every run and skips nothing, and CI runs what the README says it runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import settings

from .conftest import ROOT, check_golden

INNER = '''
import os

import pytest
from hypothesis import settings


def test_a_skip() -> None:
    pytest.skip("no such tool here")


def test_the_profile() -> None:
    ci = bool(os.environ.get("CI"))
    assert settings.default.derandomize is ci
    assert (settings.default.database is None) is ci
'''


def test_update_golden_writes_the_file_then_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = tmp_path / "golden" / "guide.yaml"
    golden.parent.mkdir()
    golden.write_text("old\n", encoding="utf-8")
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    with pytest.raises(pytest.fail.Exception, match="golden updated; rerun without UPDATE_GOLDEN"):
        check_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "new\n"
    check_golden(golden, "new\n")  # the rerun, with nothing left to update, passes


def test_a_differing_golden_fails_and_stays_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    golden = tmp_path / "guide.yaml"
    golden.write_text("old\n", encoding="utf-8")
    monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    with pytest.raises(AssertionError, match="differs; review, then UPDATE_GOLDEN=1"):
        check_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "old\n"


@pytest.mark.parametrize("ci", [True, False], ids=["CI", "local"])
def test_ci_derandomizes_hypothesis_and_fails_a_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: bool
) -> None:
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_inner=INNER)
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    outer = settings._current_profile  # the scratch conftest loads a profile for this whole process
    try:
        result = pytester.runpytest("-p", "no:cacheprovider")
    finally:
        settings.load_profile(outer or "default")
    if ci:
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["*skipped in CI, where every test must run: *no such tool here*"])
    else:
        result.assert_outcomes(passed=1, skipped=1)


def test_ci_runs_the_readme_commands() -> None:
    """``.ci/run`` runs the README's test command verbatim, sets CI, and runs the lint commands it shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (full,) = re.findall(r"^python3 -m venv \.venv && .*pytest -q$", readme, flags=re.M)
    assert full in ci_run.splitlines()
    assert 'export CI="${CI:-true}"' in ci_run.splitlines()
    for command in (".venv/bin/ruff check .", ".venv/bin/mypy"):
        assert command in readme and command in ci_run.splitlines(), command
    assert '.venv/bin/python -m pytest -q -m "not slow"' in readme
