"""The wheel ships the templates, so an installed deckbuilder builds decks anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT


def test_wheel_contains_templates_and_console_script(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("deckbuilder-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for stem in ("recall", "cloze", "redflag"):
        for side in ("front", "back"):
            assert f"deckbuilder/templates/{stem}_{side}.html" in names
    assert "deckbuilder/templates/cards.css" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "deckbuilder = deckbuilder.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
