"""Shared fixtures: real builds through the CLI and real imports with the official anki library."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from deckbuilder.cli import main

pytest_plugins = ["pytester"]  # tests/test_habits.py runs the suite's own hooks in a scratch project

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source" / "initiative-proactivity.md"
SEED_NOTES = 63  # the notes a build of the seed guide gives; many tests count on it, so it is said once
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """CI sets ``CI`` (``.ci/run`` does when the runner does not): every test runs there, none skips."""
    return bool(environ.get("CI"))


# CI explores the same examples on every run, so a red build is the code's doing and can be rerun;
# locally hypothesis keeps its random search and its example database, to find new failures.
DEFAULT = settings.get_profile("default")  # the parent of both, whatever profile is loaded when this runs
settings.register_profile("ci", DEFAULT, derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", DEFAULT)
settings.load_profile("ci" if in_ci() else "dev")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what is slow by nature: every test drawn in Chromium and every hypothesis property.

    Other slow tests say ``@pytest.mark.slow`` themselves; ``-m "not slow"`` is the inner loop.
    """
    for item in items:
        in_browser = "browser" in getattr(item, "fixturenames", ())
        if in_browser or getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """In CI a skip is a failure: a test that cannot run there hides a missing dependency."""
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


def run_cli(*args: str, env: dict[str, str] | None = None):
    """Invoke the real CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def copy_seed(folder: Path) -> Path:
    """A private copy of the seed guide, so builds write their lock file there, not in source/."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(SEED, folder / SEED.name))


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    return copy_seed(tmp_path / "guides").parent


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """The seed plus the family fixtures: five guides, one in a subfolder."""
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURES / "family", guides, ignore=shutil.ignore_patterns("*.yaml"))
    copy_seed(guides)
    return guides


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium: without it (or Playwright) tests skip locally and fail in CI (``CI`` set)."""
    from .chromium import chromium, why_unavailable

    missing = why_unavailable()
    if missing:
        if in_ci():
            pytest.fail(f"rendering tests need a browser in CI: {missing}", pytrace=False)
        pytest.skip(missing)
    with chromium() as browser:
        yield browser


@pytest.fixture
def collection(tmp_path: Path):
    from anki.collection import Collection

    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def check_golden(golden: Path, text: str) -> None:
    """Compare *text* with the golden file; with ``UPDATE_GOLDEN`` set, write it instead and fail.

    The failure after writing keeps an update from ever passing silently: the run that wrote
    the file is red, the diff is reviewed in git, and the next run without the variable is green.
    """
    if os.environ.get("UPDATE_GOLDEN"):
        if golden.exists() and golden.read_text(encoding="utf-8") == text:
            return
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.fail(f"{golden}: golden updated; rerun without UPDATE_GOLDEN", pytrace=False)
    assert golden.exists(), f"{golden} is missing; write it with UPDATE_GOLDEN=1, then review it"
    assert golden.read_text(encoding="utf-8") == text, f"{golden} differs; review, then UPDATE_GOLDEN=1"


def import_guide(tmp_path_factory, name: str, text: str):
    """Write one guide, build it through the CLI, import it into a fresh collection; the
    caller closes the returned Collection."""
    from anki.collection import Collection

    folder = tmp_path_factory.mktemp("guides")
    (folder / name).write_text(text, encoding="utf-8")
    out = folder / "deck.apkg"
    result = run_cli("build", str(folder), "-o", str(out))
    assert result.exit_code == 0, result.output
    col = Collection(str(tmp_path_factory.mktemp("col") / "c.anki2"))
    import_apkg(col, out)
    return col


def import_apkg(col, apkg: Path, *, update_notes: str = "IF_NEWER", update_notetypes: str = "IF_NEWER"):
    """Import with Anki's own importer and its default options; returns the import log."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Cond

    names = ("IF_NEWER", "ALWAYS", "NEVER")
    cond = {name: Cond.Value(f"IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_{name}") for name in names}
    request = ImportAnkiPackageRequest(
        package_path=str(apkg),
        options=ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=cond[update_notes],
            update_notetypes=cond[update_notetypes],
            with_scheduling=False,
            with_deck_configs=False,
        ),
    )
    return col.import_anki_package(request).log


def card_texts(col) -> list[dict[str, str]]:
    """Every card rendered by Anki: note type, question/answer as text and html, deck, tags."""
    out = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        q_html, a_html = card.question(), card.answer()
        out.append(
            {
                "notetype": note.note_type()["name"],
                "q_html": q_html,
                "a_html": a_html,
                "q": _text(strip_html(_drop_style(q_html))),
                "a": _text(strip_html(_drop_style(a_html))),
                "deck": col.decks.name(card.did),
                "tags": " ".join(note.tags),
                "guid": note.guid,
            }
        )
    return out


def strip_html(markup: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _drop_style(html: str) -> str:
    return re.sub(r"<style.*?</style>", "", html, flags=re.S)


def _text(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()
