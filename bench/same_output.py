"""Check that this checkout builds the same bytes as another git ref.

    python bench/same_output.py [--ref REF] [--keep]

REF defaults to where this branch left ``main`` (``git merge-base main HEAD``), so that
only this branch's changes are compared, not what landed on ``main`` since.

A speed-up must not change a byte of what users get. This script exports REF with
``git archive`` into a temporary folder, then builds each input twice through the real
CLI (``python -m deckbuilder.cli build``), once with REF's code and once with this
checkout's, both with ``SOURCE_DATE_EPOCH=1800000000`` and each from a fresh copy of the
input (a build writes its lock and cache beside the guides). Inputs: the 100-guide bench
corpus, ``tests/fixtures/guides``, ``tests/fixtures/family`` and ``source``. It compares
the ``.apkg`` and ``deckbuilder.lock`` byte for byte and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("tests/fixtures/guides", "tests/fixtures/family", "source")


def export(ref: str, into: Path) -> Path:
    """REF's tree, unpacked into a folder importable as ``deckbuilder``."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def build(code: Path, guides: Path, work: Path) -> tuple[bytes, bytes]:
    """Build a fresh copy of GUIDES with the deckbuilder in CODE; the deck's and lock's bytes."""
    shutil.copytree(guides, work)
    out = work / "deck.apkg"
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1800000000", "PYTHONPATH": str(code)}
    run = subprocess.run([sys.executable, "-m", "deckbuilder.cli", "build", str(work), "-o", str(out)],
                         cwd=work, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"build of {guides} with {code} failed:\n{run.stdout}{run.stderr}")
    return out.read_bytes(), (work / "deckbuilder.lock").read_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="git ref to compare with (default: git merge-base main HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    ref = args.ref or subprocess.run(["git", "-C", str(ROOT), "merge-base", "main", "HEAD"], check=True,
                                     capture_output=True, text=True).stdout.strip()
    print(f"comparing with {ref}")
    tmp = Path(tempfile.mkdtemp(prefix="same-output-"))
    try:
        theirs = export(ref, tmp / "ref")
        inputs = {"corpus-100": tmp / "corpus"}
        corpus.generate(inputs["corpus-100"], 100, 0)
        inputs.update({name.replace("/", "-"): ROOT / name for name in FIXTURES})
        different = 0
        for name, guides in inputs.items():
            ref_deck, ref_lock = build(theirs, guides, tmp / "out-ref" / name)
            deck, lock = build(ROOT, guides, tmp / "out-here" / name)
            for what, a, b in (("deck", ref_deck, deck), ("lock", ref_lock, lock)):
                same = a == b
                different += not same
                print(f"{name:28} {what:5} {'same' if same else 'DIFFERENT'} ({len(a):,} / {len(b):,} bytes)")
        print("all the same" if not different else f"{different} outputs differ from {ref}")
        return 1 if different else 0
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
