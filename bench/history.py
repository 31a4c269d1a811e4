"""Benchmark history across edits: the cost of matching, the share kept, the false matches.

    python bench/history.py [--guides 1000] [--edited 200] [--pairs 5000] [--workdir DIR] [--seed N]

(a) rename every guide: a corpus of ``--guides`` guides (bench/corpus.py, 1,000 guides is
    about 100k notes) is built once to get its lock; then every file is renumbered and
    the deck rebuilt cold (``--no-cache``) with that lock, against a cold rebuild of the
    same corpus unrenamed (every note found by its GUID) and one without any lock. The
    reconciliation alone is also timed in-process, renamed and not;
(b) an edit scenario on a corpus of ``--edited`` guides with many renames, rewordings,
    moves and deletions: the share of continuing notes that keep their GUID in the right
    guide, and the number of replaced questions wrongly taken for the old one;
(c) the matching rule on ``--pairs`` pairs of similar but different questions from the
    corpus generator (same template, another object or context; old and new in the same
    guide, section and position, no shared answer): how many it would merge; and on
    moderate rewordings of them: how many it keeps. The rule before this change (word
    ratio >= 0.8) is shown beside it.

A benchmark, not a test: it prints what it measured and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

from deckbuilder.changes import reconcile  # noqa: E402
from deckbuilder.config import Config  # noqa: E402
from deckbuilder.documents import candidates, load_documents  # noqa: E402
from deckbuilder.identity import normalise  # noqa: E402
from deckbuilder.lockfile import Lock, read_lock  # noqa: E402
from deckbuilder.matching import Side, match, plain  # noqa: E402

EXE = str(Path(sys.executable).with_name("deckbuilder"))
REWORDINGS = [  # moderate rewordings an author makes: (pattern, replacement)
    (r"^Tell me about a time you ", "Tell me about a time when you "),
    (r"^Describe a situation where you had to ", "Describe a situation in which you had to "),
    (r"^Give an example of when you ", "Give me an example of when you "),
    (r" without being asked$", " without anyone asking"),
    (r"^How do you ", "How would you "),
    (r"^Walk me through how you ", "Walk me through the way you "),
    (r"^What did you learn when you ", "What did you learn back when you "),
]


def reword(question: str) -> str:
    """Every rewording that applies: at the start, and at the end."""
    for pattern, replacement in REWORDINGS:
        question = re.sub(pattern, replacement, question)
    return question


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(folder: Path, out: Path, *extra: str) -> tuple[float, str, float]:
    """Wall seconds, the report's last line, and CPU seconds (the build and its workers):
    on a shared machine the CPU time is the steadier measure."""
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run([EXE, "build", str(folder), "-o", str(out), "--no-cache", *extra],
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout.strip().splitlines()[-1], _cpu() - cpu


def renumber(folder: Path) -> None:
    """Every guide gets another number: 0007-topic.md -> 0008-topic.md."""
    for path in sorted(corpus.guide_paths(folder), reverse=True):
        number, rest = path.name.split("-", 1)
        path.rename(path.with_name(f"{int(number) + 1:04d}-{rest}"))


def rename_every_guide(workdir: Path, guides: int, seed: int, builds: bool) -> None:
    base = workdir / "a"
    corpus.generate(base, guides, seed)
    config = Config()
    logging.disable(logging.WARNING)  # the corpus has guides with one title: said once is enough
    renamed = workdir / "renamed"
    if builds:
        cold, line, _ = build(base, workdir / "a.apkg")
        print(f"(a) {guides} guides: first build {cold:.1f} s; {line}")
        saved = (base / "deckbuilder.lock").read_text(encoding="utf-8")
        same = build(base, workdir / "a.apkg", "--dry-run")
        shutil.copytree(base, renamed)
        renumber(renamed)
        (renamed / "deckbuilder.lock").write_text(saved, encoding="utf-8")
        moved = build(renamed, workdir / "b.apkg", "--dry-run")
        print(f"    every guide renamed: {moved[1]}")
        (renamed / "deckbuilder.lock").unlink()
        nolock = build(renamed, workdir / "c.apkg", "--dry-run")
        for name, (wall, _, cpu) in (("nothing renamed (every note found by GUID)", same),
                                     ("every guide renamed, with the lock", moved),
                                     ("every guide renamed, without a lock", nolock)):
            print(f"    cold rebuild --dry-run, {name}: {wall:.2f} s wall, {cpu:.2f} s CPU "
                  f"({wall - same[0]:+.2f} s wall, {cpu - same[2]:+.2f} s CPU)")
        old = read_lock(base / "deckbuilder.lock")
    else:
        print(f"(a) {guides} guides")
        old = reconcile(candidates(load_documents([base], config, workers=2)), Lock(), 1800000000,
                        config.root_deck).lock
        shutil.copytree(base, renamed)
        renumber(renamed)
    for name, folder in (("nothing renamed", base), ("every guide renamed", renamed)):
        cands = candidates(load_documents([folder], config, workers=2))
        gc.collect()
        for _ in range(3):
            start, cpu = time.perf_counter(), time.process_time()
            plan = reconcile(cands, old, 1900000000, config.root_deck)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            kept = sum(1 for r in plan.records if r.guid in old.notes and "deckbuilder::removed" not in r.tags)
            print(f"    reconcile alone, {name}: {took:.2f} s wall, {cpu:.2f} s CPU for {len(cands)} notes, "
                  f"{kept} kept their GUID")
            del plan
        del cands


def edit_scenario(workdir: Path, guides: int, seed: int) -> None:
    """Renames, rewordings, moves and deletions with known answers; the share kept."""
    folder = workdir / "edited"
    corpus.generate(folder, guides, seed)
    build(folder, workdir / "e1.apkg")
    before = read_lock(folder / "deckbuilder.lock")
    rng = random.Random(f"{seed}:edits")
    expected: dict[tuple[str, str, str], tuple[str, str]] = {}  # (doc, kind, old text) -> (doc, new text)
    gone: set[tuple[str, str, str]] = set()
    replaced: set[tuple[str, str, str]] = set()
    paths = corpus.guide_paths(folder)
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    listed = {p: re.findall(r"^\d+\. (.+)$", texts[p].split("## 💡")[0], re.M) for p in paths}
    doc_of = {p: p.relative_to(folder).with_suffix("").as_posix() for p in paths}
    counts = dict.fromkeys(("heading", "follow-ups", "reworded", "moved", "deleted", "takeaway deleted", "replaced",
                            "renamed", "new folder"), 0)
    for i, path in enumerate(paths):
        text, doc = texts[path], doc_of[path]
        questions = list(listed[path])  # as generated: a question moved in from the guide before stays as it is
        if rng.random() < 0.3:  # a category heading renamed
            heading = re.findall(r"^### (.+)$", text, re.M)[0]
            text = text.replace(f"### {heading}\n", f"### {heading} Questions\n", 1)
            counts["heading"] += 1
        if rng.random() < 0.3:
            text = text.replace("## 🎓 Follow-up Questions to Prepare For", "## 🎓 Likely Follow-Ups")
            counts["follow-ups"] += 1
        rng.shuffle(questions)
        for q in questions[:2]:  # moderate rewordings
            new = reword(q)
            if new != q and f". {new}\n" not in text:
                text = text.replace(f". {q}\n", f". {new}\n", 1)
                expected[(doc, "question", normalise(q))] = (doc, new)
                counts["reworded"] += 1
        if len(questions) > 5 and rng.random() < 0.3:  # one question deleted
            q = questions[3]
            text = re.sub(rf"^\d+\. {re.escape(q)}\n", "", text, count=1, flags=re.M)
            gone.add((doc, "question", normalise(q)))
            counts["deleted"] += 1
        takeaways = re.findall(r'^\*\*Key Takeaway:\*\*\n"(.+)"\n', text, re.M)
        if takeaways and rng.random() < 0.3:  # a cloze takeaway deleted
            text = text.replace(f'**Key Takeaway:**\n"{takeaways[0]}"\n', "", 1)
            gone.add((doc, "takeaway", normalise(takeaways[0])))
            counts["takeaway deleted"] += 1
        if len(questions) > 6 and rng.random() < 0.3:  # one replaced by a similar but different question
            q = questions[4]
            words = q.split()
            other = " ".join(words[:-2] + ["a", "different", "thing"])
            text = text.replace(f". {q}\n", f". {other}\n", 1)
            replaced.add((doc, "question", normalise(q)))
            counts["replaced"] += 1
        if len(questions) > 5 and i + 1 < len(paths) and rng.random() < 0.2:  # one question moves to the next guide
            q = questions[5]
            target = paths[i + 1]
            if f". {q}\n" in texts[target] or q in listed[target] or (doc, "question", normalise(q)) in expected:
                pass
            else:
                text = re.sub(rf"^\d+\. {re.escape(q)}\n", "", text, count=1, flags=re.M)
                texts[target] = re.sub(r"(## 📋 Common Questions\n\n### .+\n)", rf"\g<1>1. {q}\n", texts[target],
                                       count=1)
                expected[(doc, "question", normalise(q))] = (doc_of[target], q)
                counts["moved"] += 1
        texts[path] = text
    renames: dict[str, str] = {}
    for path in paths:
        path.write_text(texts[path], encoding="utf-8")
        roll = rng.random()
        if roll < 0.3:  # renumbered
            number, rest = path.name.split("-", 1)
            target = path.with_name(f"{int(number) + 5000:04d}-{rest}")
            counts["renamed"] += 1
        elif roll < 0.4:  # moved to another folder
            target = folder / "moved" / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            counts["new folder"] += 1
        else:
            continue
        path.rename(target)
        renames[doc_of[path]] = target.relative_to(folder).with_suffix("").as_posix()
    _, line, _ = build(folder, workdir / "e2.apkg")
    after = read_lock(folder / "deckbuilder.lock")
    broken, cards = render_errors(workdir, [workdir / "e1.apkg", workdir / "e2.apkg"])
    print(f"(b) {guides} guides, edits: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    print(f"    {line}")
    continuing = kept = wrong = 0
    misses: list[str] = []
    for guid, note in before.notes.items():
        key = (note.doc, note.kind, plain(note.key))
        if key in gone:
            continue
        if key in replaced:
            if guid in after.notes:
                wrong += 1
                misses.append(f"merged: {note.key!r} -> {after.notes[guid].key!r}")
            continue
        doc, text = expected.get(key, (note.doc, note.key))
        doc = renames.get(doc, doc)
        continuing += 1
        now_note = after.notes.get(guid)
        if now_note is not None and now_note.doc == doc and plain(now_note.key) == plain(text):
            kept += 1
        elif len(misses) < 5:
            now = f"{now_note.doc}: {now_note.key!r}" if now_note else "gone"
            misses.append(f"{note.doc}: {note.key!r} expected in {doc} as {text!r}; now {now}")
    print(f"    continuing notes that kept their history: {kept}/{continuing} = {kept / continuing:.2%}")
    print(f"    replaced questions taken for the old one: {wrong}/{len(replaced)}")
    print(f"    both decks imported into one Anki collection: {broken} of {cards} cards render an error")
    for miss in misses:
        print(f"    {miss}")


def render_errors(workdir: Path, packages: list[Path]) -> tuple[int, int]:
    """Import each package in turn with Anki's defaults; cards whose question or answer is an error."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as Condition

    col = Collection(str(workdir / "render.anki2"))
    try:
        if_newer = Condition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
        options = ImportAnkiPackageOptions(update_notes=if_newer, update_notetypes=if_newer)
        for apkg in packages:
            col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
        ids = col.find_cards("")
        broken = 0
        for cid in ids:
            card = col.get_card(cid)
            broken += "No cloze" in card.question() + card.answer()
        return broken, len(ids)
    finally:
        col.close()


def similar_pairs(count: int, seed: int) -> list[tuple[str, str]]:
    """Different questions from one template and verb: another object or context."""
    rng = random.Random(f"{seed}:pairs")
    out: list[tuple[str, str]] = []
    while len(out) < count:
        template = rng.choice(corpus.Q_TEMPLATES)
        v, vp = rng.choice(corpus.VERBS)
        objects = rng.sample(corpus.OBJECTS, 2)
        contexts = rng.sample(corpus.CONTEXTS, 2)
        which = rng.random() < 0.5 or "{ctx}" not in template
        a = template.format(v=v, vp=vp, obj=objects[0], ctx=contexts[0])
        b = template.format(v=v, vp=vp, obj=objects[1] if which else objects[0], ctx=contexts[1])
        if a != b:
            out.append((a, b))
    return out


def false_matches(count: int, seed: int) -> None:
    pairs = similar_pairs(count, seed)

    different = sum(bool(match([Side("question", "g", "s", b, "", 3)], [Side("question", "g", "s", a, "", 3)])[0])
                    for a, b in pairs)
    old_rule = sum(SequenceMatcher(None, normalise(a).split(), normalise(b).split()).ratio() >= 0.8 for a, b in pairs)
    rewordings = [(a, reword(a)) for a, _ in pairs if reword(a) != a]
    same = sum(bool(match([Side("question", "g", "s", b, "", 3)], [Side("question", "g", "s", a, "", 3)])[0])
               for a, b in rewordings)
    old_same = sum(SequenceMatcher(None, normalise(a).split(), normalise(b).split()).ratio() >= 0.8
                   for a, b in rewordings)
    print(f"(c) {len(pairs)} pairs of similar but different questions (same guide, section, position):")
    print(f"    merged by this rule: {different} ({different / len(pairs):.2%}); by the old rule: {old_rule} "
          f"({old_rule / len(pairs):.2%})")
    print(f"    {len(rewordings)} moderate rewordings kept by this rule: {same} ({same / len(rewordings):.2%}); "
          f"by the old rule: {old_same} ({old_same / len(rewordings):.2%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guides", type=int, default=1000)
    parser.add_argument("--edited", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=["a", "b", "c"])
    parser.add_argument("--no-builds", action="store_true", help="(a): time the reconciliation alone")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="deckbuilder-history-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if args.only in (None, "c"):
            false_matches(args.pairs, args.seed)
        if args.only in (None, "b"):
            edit_scenario(workdir, args.edited, args.seed)
        if args.only in (None, "a"):
            rename_every_guide(workdir, args.guides, args.seed, not args.no_builds)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
