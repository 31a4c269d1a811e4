"""Card-quality report: what a build makes of a folder of guides, as a learner meets it.

    python bench/cards.py PATH... [--sample N] [--seed S] [--kind KIND]

Runs the real ``deckbuilder cards --format json`` on PATH and prints, per guide, the notes
by kind, then the shares the issue tracker asks about:

- answerless: a Recall note whose back has fewer than 3 words, or only "Category: X";
- no better: a Red Flag note whose better version has fewer than 2 words;
- too tall: a side estimated taller than one phone screen (``deckbuilder.screen``) on the
  rendered text;
- leftovers: rendered text that still shows markdown (``**``, a code fence, ``](``).

``--sample N`` prints N notes chosen at random (seeded) as text, front -> back, to be read
as a learner would: junk is a judgement, and this is where it is made. It is a report,
not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from deckbuilder import screen  # noqa: E402

FRONT = {"Deckbuilder Recall": ("Hint", "Front"), "Deckbuilder Cloze": ("Hint", "Text"),
         "Deckbuilder Red Flag": ("Label", "Weak")}
BACK = {"Deckbuilder Recall": ("Back", "Extra"), "Deckbuilder Cloze": ("Extra",),
        "Deckbuilder Red Flag": ("Better", "Extra")}
LEFTOVER = re.compile(r"\*\*|```|\]\(|^#{1,6} ")


def text(markup: str) -> str:
    markup = re.sub(r"<(br|/p|/li|/tr|/pre|/div)\b[^>]*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", default="")
    args = parser.parse_args()
    exe = Path(sys.executable).with_name("deckbuilder")
    run = subprocess.run([str(exe), "cards", *args.paths, "--format", "json"], capture_output=True, text=True)
    if run.returncode:
        print(run.stderr.strip())
        return
    notes = json.loads(run.stdout)
    by_guide: dict[str, Counter[str]] = defaultdict(Counter)
    flagged: dict[str, list[str]] = defaultdict(list)
    for note in notes:
        guide = note["source"].rsplit(":", 1)[0]
        by_guide[guide][note["kind"]] += 1
        fields = note["fields"]
        front = "\n".join(text(fields[f]) for f in FRONT[note["note_type"]] if fields.get(f))
        back = "\n".join(text(fields[f]) for f in BACK[note["note_type"]] if fields.get(f))
        note["_front"], note["_back"] = front, back
        where = f"{note['source']} [{note['kind']}] {front[:80]!r}"
        if note["note_type"] == "Deckbuilder Recall" and (
            len(text(fields["Back"]).split()) < 3 or re.fullmatch(r"Category: .*", text(fields["Back"]))
        ):
            flagged["answerless"].append(where)
        if note["note_type"] == "Deckbuilder Red Flag" and len(text(fields["Better"]).split()) < 2:
            flagged["no better"].append(where)
        if max(screen.lines(front), screen.lines(front) + screen.lines(back)) > screen.SCREEN_LINES:
            flagged["too tall"].append(where)
        if any(LEFTOVER.search(text(v)) for k, v in fields.items() if k != "Text"):
            flagged["leftovers"].append(where)
    kinds = sorted({k for c in by_guide.values() for k in c})
    print("| guide | notes | " + " | ".join(kinds) + " |")
    print("|---|---:|" + "---:|" * len(kinds))
    for guide, counts in sorted(by_guide.items()):
        print(f"| {Path(guide).name} | {sum(counts.values())} | " + " | ".join(str(counts[k]) for k in kinds) + " |")
    total = len(notes)
    print(f"\n{total} notes")
    for name in ("answerless", "no better", "too tall", "leftovers"):
        found = flagged[name]
        print(f"{name}: {len(found)} ({100 * len(found) / max(total, 1):.1f}%)")
        for where in found[:15]:
            print(f"    {where}")
    if args.sample:
        pool = [n for n in notes if not args.kind or n["kind"] == args.kind]
        for note in random.Random(args.seed).sample(pool, min(args.sample, len(pool))):
            print(f"\n--- {note['source']} [{note['kind']}]\nQ: {note['_front']}\nA: {note['_back']}")


if __name__ == "__main__":
    main()
