"""Measure what a story edit costs: the fixture story bank beside a generated corpus.

    python bench/stories.py [--guides 100] [--workdir DIR]

Builds the corpus (bench/corpus.py) with tests/fixtures/stories/ as its stories/ folder,
then times rebuilds after (a) no change, (b) editing a story's action step (only the story
notes are redone), (c) editing a story's one-line summary (every guide is redone: question
backs show it), and ``deckbuilder stories`` (coverage). Prints one line each; exits 0.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

BANK = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"
EXE = str(Path(sys.executable).with_name("deckbuilder"))


def timed(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr}")
    return time.perf_counter() - start, done.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guides", type=int, default=100)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="deckbuilder-stories-"))
    guides = work / "guides"
    shutil.rmtree(guides, ignore_errors=True)
    corpus.generate(guides, args.guides, 0)
    shutil.copytree(BANK, guides / "stories")
    out = work / "deck.apkg"
    build = [EXE, "build", str(guides), "-o", str(out)]
    story = guides / "stories" / "work.md"
    steps = [
        ("cold build", None),
        ("no change", None),
        ("a story's action step edited", ("- **Made it stick**:", "- **Kept it fixed**:")),
        ("a story's summary edited", ("Summary: Quarantined our flaky", "Summary: Quarantined all our flaky")),
    ]
    for name, change in steps:
        if change:
            edit(story, *change)
        seconds, report = timed(build)
        last = report.strip().splitlines()[-1]
        print(f"{args.guides} guides, {name}: {seconds:.2f} s ({last.split(': ', 1)[-1]})")
    seconds, report = timed([EXE, "stories", str(guides)])
    covered = next(line for line in report.splitlines() if "questions covered" in line)
    print(f"{args.guides} guides, deckbuilder stories: {seconds:.2f} s ({covered})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
