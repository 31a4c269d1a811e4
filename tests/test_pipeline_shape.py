"""The pipeline's imports point one way (issue 13): per-guide code knows nothing of the
store, the lock or genanki; only the packager imports genanki; only the store's module
speaks the cache database's SQL. Read from the modules' own source with ``ast``."""

from __future__ import annotations

import ast
import logging
import random
import re
import string
from pathlib import Path

import genanki
import pytest

from deckbuilder.identity import guid_for

PACKAGE = Path(__file__).resolve().parent.parent / "deckbuilder"
# what runs per guide, in worker processes, and what its result is made of
PER_GUIDE = ["documents", "reader", "encoding", "sections", "render", "identity", "model", "card_html",
             "highlight", "inert", "screen", *[f"extractors.{p.stem}" for p in (PACKAGE / "extractors").glob("*.py")]]
DOWNSTREAM = {"store", "lockfile", "package", "changes", "matching", "build", "archive", "sync", "genanki"}


def imports(module: str) -> set[str]:
    """The modules ``module`` imports (deckbuilder's by their name under the package)."""
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.add((node.module or "").split(".")[0])
            else:  # relative: resolve against the module's package
                base = module.split(".")[: -node.level] if "." in module else []
                name = ".".join([*base, node.module] if node.module else base)
                found |= {name} if node.module else {alias.name for alias in node.names}
    return found


def test_per_guide_code_knows_nothing_downstream() -> None:
    reaching = {m: sorted(imports(m) & DOWNSTREAM) for m in PER_GUIDE}
    assert {m: found for m, found in reaching.items() if found} == {}


def test_only_the_packager_imports_genanki() -> None:
    modules = [p.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".") for p in PACKAGE.rglob("*.py")]
    assert [m for m in modules if "genanki" in imports(m)] == ["package"]


def test_only_the_store_speaks_the_cache_database() -> None:
    tables = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+(?:store\.)?(?:docs|entries|meta|notes|cards)\b")
    speaking = sorted(p.name for p in PACKAGE.rglob("*.py")
                      if p.name != "package.py" and tables.search(p.read_text(encoding="utf-8")))
    assert speaking == ["store.py"]
    # the packager fills Anki's own tables, from rows the store copies in
    assert not re.search(r"\bstore\.(?:notes|cards)\b", (PACKAGE / "package.py").read_text(encoding="utf-8"))


def test_the_guid_is_genankis() -> None:
    rng = random.Random(13)
    for _ in range(2000):
        values = ["".join(rng.choice(string.printable + "éü漢") for _ in range(rng.randint(0, 30)))
                  for _ in range(rng.randint(1, 5))]
        assert guid_for(*values) == genanki.guid_for(*values), values


# What a build that finds nothing changed imports: it must not load the parser, the
# extractors, the renderer, the story reader (a sixth of its time at 1,000 guides) or, with
# no settings file, the YAML reader.
_PROBE = """
import sys
from deckbuilder.cli import main
try:
    main(["build", sys.argv[1], "-o", sys.argv[2]])
except SystemExit as done:
    assert done.code in (0, None), done.code
print("loaded:", " ".join(sorted(m for m in sys.modules if m in ("markdown_it", "yaml") or m.startswith((
      "deckbuilder.extractors", "deckbuilder.render", "deckbuilder.sections", "deckbuilder.stories",
      "deckbuilder.story_cards")))))
"""


def test_a_build_that_finds_nothing_changed_imports_no_parser(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from .conftest import SEED

    guides = tmp_path / "guides"
    guides.mkdir()
    shutil.copy(SEED, guides / SEED.name)
    out = tmp_path / "deck.apkg"

    def loaded() -> str:
        run = subprocess.run([sys.executable, "-c", _PROBE, str(guides), str(out)], capture_output=True, text=True,
                             check=True)
        return run.stdout.splitlines()[-1].removeprefix("loaded:").strip()

    assert "markdown_it" in loaded()  # the first build parses the guide (in this process: one guide)
    assert loaded() == ""  # the second finds nothing changed


def test_help_loads_only_the_command_line() -> None:
    """``deckbuilder --help`` (and a mistyped command) loads the command line and its errors
    module, none of the pipeline: not even the plain data types (a fifth of its start-up)."""
    import subprocess
    import sys

    probe = ("import sys\nfrom deckbuilder.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('loaded:', ' '.join(sorted(m for m in sys.modules if m.startswith('deckbuilder.'))))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.splitlines()[-1] == "loaded: deckbuilder.cli deckbuilder.errors"


def test_reading_a_guide_logs_nothing_per_line(caplog: pytest.LogCaptureFixture) -> None:
    """markdown-it-py logs a debug line each time a block rule is tried on a line (8,000 a
    guide, 8 million at 1,000 guides, each a call that checks the level): reading a guide
    through deckbuilder's parser makes none, even with debug logging on."""
    from deckbuilder.reader import read_source
    from deckbuilder.sections import build_document

    from .conftest import SEED

    with caplog.at_level(logging.DEBUG, logger="markdown_it"):
        document = build_document(read_source(SEED, SEED.parent))
    assert document.root.children  # the guide was read
    assert not [r for r in caplog.records if r.name.startswith("markdown_it")]
