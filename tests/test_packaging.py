"""The wheel ships the templates, so an installed deckbuilder builds decks anywhere.

setuptools builds in the source folder (``build/``, ``*.egg-info``), so the wheel is built
from a copy of the checkout's files: the test leaves the checkout as it found it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow  # pip and setuptools: about ten seconds


def checkout_state() -> str:
    """Every file git sees in the checkout, ignored ones included (not the venv or caches), and its status."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--ignored", "--untracked-files=all", "--", ".",
         ":(exclude).venv", ":(exclude)**/__pycache__", ":(exclude).hypothesis", ":(exclude).*_cache"],
        check=True, capture_output=True, text=True,
    ).stdout


def copy_of_checkout(dest: Path) -> Path:
    """The checkout's files as they are in the working tree (tracked, or new and not ignored), in *dest*."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True, text=True,
    ).stdout
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def test_wheel_contains_templates_and_console_script(tmp_path: Path) -> None:
    before = checkout_state()
    source = copy_of_checkout(tmp_path / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True,
    )
    assert checkout_state() == before, "building the wheel wrote into the checkout"
    (wheel,) = (tmp_path / "dist").glob("deckbuilder-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for stem in ("recall", "cloze", "redflag"):
        for side in ("front", "back"):
            assert f"deckbuilder/templates/{stem}_{side}.html" in names
    assert "deckbuilder/templates/cards.css" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "deckbuilder = deckbuilder.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
