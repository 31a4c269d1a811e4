"""Benchmark the real deckbuilder CLI on synthetic corpora.

    python bench/bench.py [--sizes 1,100,1000] [--workdir DIR] [--keep] [--seed N] [--timeout S]

For each corpus size (number of guides) it generates a deterministic corpus
(bench/corpus.py) in a work folder and runs the installed ``deckbuilder`` executable (the
one next to ``sys.executable``) as a subprocess:

(a) cold build      - every ``deckbuilder.lock`` and ``.deckbuilder-cache`` in the corpus
                      and the old output are deleted first (best of ``--cold-runs``, 2 by
                      default, each run right after a run of the yardstick (e));
(b) no-change build - immediately rebuild the same corpus (best of 3);
(c) one-file change - edit one answer line in one guide, then rebuild (best of 3, a
                      different guide edited before each);
(d) ``deckbuilder --help`` start-up time (best of 5);
(e) the yardstick: markdown-it-py's full parse (block and inline, CommonMark with tables
    and HTML, the settings deckbuilder reads guides with) of the same files, on one core
    in a child process, started in the same minute as the cold build (best of as many runs,
    alternated with the cold builds: this shared machine's speed drifts by a quarter within
    an hour, and a cold build set beside one parse moved with it).

Every run uses compiled bytecode, as a user's does: Python caches the ``.pyc`` of each
module it imports, but a machine that sets ``PYTHONDONTWRITEBYTECODE`` (this one does)
compiles deckbuilder's own modules (an editable install) afresh on every run, 0.3-0.7 s of
a rebuild. So the children run without that variable and with ``PYTHONPYCACHEPREFIX`` in
the work folder (nothing is written into the checkout), and one small warm-up build and
``--help`` fill that cache before anything is timed.

Peak RSS of each build comes from ``os.wait4`` on the child pid (ru_maxrss). Notes and
cards are counted in the output .apkg (collection.anki2 read with sqlite3).

This is a benchmark, not a test: it prints a markdown table plus the targets for the
largest size, and always exits 0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

REPEATS = 3  # timed runs of each rebuild; the fastest is reported

TARGETS = {
    # key: (label, limit, unit)
    "cold": ("cold build (1,000 guides)", 20.0, "s"),
    "parse": ("cold build / markdown-it-py's full parse of the same files", 0.95, "x"),
    "one": ("one-file-changed rebuild / cold build", 0.05, "x"),
    "nochange": ("no-change rebuild / cold build", 0.02, "x"),
    "rss": ("peak RSS of a build", 400.0, "MB"),
    "help": ("`deckbuilder --help`", 0.15, "s"),
}


@dataclass
class Run:
    seconds: float
    rss_mb: float
    returncode: int | None  # None: killed by the timeout
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def error(self) -> str:
        if self.returncode is None:
            return "timed out"
        tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-15:]
        return f"exit code {self.returncode}:\n" + "\n".join(tail)

    def summary(self) -> str:
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith(("wrote ", "would write "))]
        return lines[-1] if lines else ""


@dataclass
class Row:
    size: int
    mb: float = 0.0
    notes: int | None = None
    cards: int | None = None
    cold: Run | None = None
    nochange: Run | None = None
    one: Run | None = None
    help_s: float | None = None
    parse_s: float | None = None  # markdown-it-py's single-core full parse of the corpus
    changed: str = ""
    errors: list[str] = field(default_factory=list)

    def peak_rss(self) -> float | None:
        runs = [r for r in (self.cold, self.nochange, self.one) if r is not None]
        return max(r.rss_mb for r in runs) if runs else None


def deckbuilder_exe() -> str:
    exe = Path(sys.executable).parent / "deckbuilder"
    if exe.exists():
        return str(exe)
    found = shutil.which("deckbuilder")
    if found:
        return found
    sys.exit(f"no deckbuilder executable next to {sys.executable} or on PATH")


def run_measured(argv: list[str], cwd: Path, log_dir: Path, name: str, timeout: float) -> Run:
    """Run *argv*, returning wall time, peak RSS (MB, via os.wait4) and output."""
    out_path, err_path = log_dir / f"{name}.stdout", log_dir / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is reaped
    rss_mb = usage.ru_maxrss / 1024.0  # Linux reports kilobytes
    if sys.platform == "darwin":
        rss_mb = usage.ru_maxrss / (1024.0 * 1024.0)  # macOS reports bytes
    return Run(
        seconds=seconds,
        rss_mb=rss_mb,
        returncode=None if timed_out.is_set() else proc.returncode,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
    )


def clear_state(corpus_dir: Path, out: Path) -> None:
    """Delete lock files and cache folders/files anywhere in the corpus, and the old output."""
    for path in sorted(corpus_dir.rglob("*"), reverse=True):
        if path.name in ("deckbuilder.lock", ".deckbuilder-cache"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists() or path.is_symlink():
                path.unlink()
    if out.is_dir():
        shutil.rmtree(out)
    elif out.exists():
        out.unlink()


def count_notes_cards(apkg: Path) -> tuple[int, int]:
    with zipfile.ZipFile(apkg) as zf, tempfile.TemporaryDirectory() as tmp:
        names = zf.namelist()
        name = "collection.anki2" if "collection.anki2" in names else next(
            n for n in names if n.startswith("collection.anki2"))
        zf.extract(name, tmp)
        con = sqlite3.connect(Path(tmp) / name)
        try:
            notes = con.execute("select count(*) from notes").fetchone()[0]
            cards = con.execute("select count(*) from cards").fetchone()[0]
        finally:
            con.close()
    return notes, cards


PARSE = """\
import sys, time
from pathlib import Path
from markdown_it import MarkdownIt
texts = [Path(p).read_text(encoding="utf-8") for p in sys.argv[1:]]
md = MarkdownIt("commonmark", {"html": True}).enable("table")
start = time.perf_counter()
for text in texts:
    md.parse(text)
print(time.perf_counter() - start)
"""


def time_parse(paths: list[Path], timeout: float) -> float | None:
    """Seconds markdown-it-py takes to fully parse ``paths`` on one core (files read first)."""
    run = subprocess.run([sys.executable, "-c", PARSE, *map(str, paths)], capture_output=True, text=True,
                         timeout=timeout)
    return float(run.stdout) if run.returncode == 0 else None


def time_help(exe: str, cwd: Path, log_dir: Path, timeout: float, repeats: int = 5) -> float | None:
    best = None
    for i in range(repeats):
        run = run_measured([exe, "--help"], cwd, log_dir, f"help-{i}", timeout)
        if not run.ok:
            return None
        best = run.seconds if best is None else min(best, run.seconds)
    return best


def use_bytecode(work: Path, exe: str, seed: str, timeout: float) -> Path:
    """Let every child write and read compiled bytecode under ``work/pycache``, and fill it
    with one untimed 2-guide build and ``--help`` (what a user's first run leaves)."""
    prefix = work / "pycache"
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(prefix)
    warm = work / "warm-up"
    shutil.rmtree(warm, ignore_errors=True)
    corpus.generate(warm / "guides", 2, seed)
    log_dir = warm / "logs"
    log_dir.mkdir()
    for name, argv in (("build", [exe, "build", str(warm / "guides"), "-o", str(warm / "out.apkg")]),
                       ("help", [exe, "--help"])):
        run = run_measured(argv, warm, log_dir, name, timeout)
        if not run.ok:
            print(f"warm-up {name} failed ({run.error()})", file=sys.stderr, flush=True)
    shutil.rmtree(warm, ignore_errors=True)
    return prefix


def bench_size(size: int, work: Path, exe: str, seed: str, timeout: float, cold_runs: int = 2) -> Row:
    row = Row(size)
    corpus_dir = work / f"corpus-{size}"
    out = work / f"out-{size}.apkg"
    log_dir = work / f"logs-{size}"
    if corpus_dir.exists():
        shutil.rmtree(corpus_dir)
    log_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    paths = corpus.generate(corpus_dir, size, seed)
    row.mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"[{size}] generated {len(paths)} guides, {row.mb:.2f} MB in {time.perf_counter() - t0:.1f} s",
          file=sys.stderr, flush=True)

    build = [exe, "build", str(corpus_dir), "-o", str(out)]

    parses, colds = [], []
    for i in range(cold_runs):  # alternated, so that a slow minute of the machine slows both
        parses.append(time_parse(paths, timeout))
        print(f"[{size}] markdown-it-py full parse, one core: {parses[-1]} s", file=sys.stderr, flush=True)
        clear_state(corpus_dir, out)
        colds.append(run_measured(build, work, log_dir, f"cold-{i}", timeout))
        print(f"[{size}] cold build: {colds[-1].seconds:.2f} s, rc={colds[-1].returncode}", file=sys.stderr, flush=True)
    row.parse_s = None if None in parses else min(p for p in parses if p is not None)
    row.cold = _fastest(colds)
    if cold_runs > 1:
        print(f"[{size}] fastest of each: parse {row.parse_s} s, cold {row.cold.seconds:.2f} s",
              file=sys.stderr, flush=True)
    if not row.cold.ok:
        row.errors.append(f"cold build failed ({row.cold.error()})")
    else:
        try:
            row.notes, row.cards = count_notes_cards(out)
        except Exception as exc:  # a benchmark reports, it does not crash
            row.errors.append(f"could not count notes in {out}: {exc!r}")

        runs = [run_measured(build, work, log_dir, f"nochange-{i}", timeout) for i in range(REPEATS)]
        row.nochange = _fastest(runs)
        print(f"[{size}] no-change rebuild: {_all(runs)}", file=sys.stderr, flush=True)
        if not row.nochange.ok:
            row.errors.append(f"no-change rebuild failed ({row.nochange.error()})")

        runs, changed = [], []
        for step in range(REPEATS):  # a different guide edited each time
            path, _old, _new = corpus.apply_one_change(corpus_dir, seed, step)
            changed.append(path.relative_to(corpus_dir).as_posix())
            runs.append(run_measured(build, work, log_dir, f"one-changed-{step}", timeout))
        row.one = _fastest(runs)
        row.changed = ", ".join(changed)
        print(f"[{size}] one-file-changed rebuild: {_all(runs)}", file=sys.stderr, flush=True)
        if not row.one.ok:
            row.errors.append(f"one-file-changed rebuild failed ({row.one.error()})")

    row.help_s = time_help(exe, work, log_dir, timeout)
    if row.help_s is None:
        row.errors.append("`deckbuilder --help` failed")
    return row


def _fastest(runs: list[Run]) -> Run:
    """The fastest of runs that succeeded (the first failure if one failed): on a machine
    shared with other work, the least disturbed run is the steadiest figure, as ``timeit``
    takes the minimum."""
    failed = [r for r in runs if not r.ok]
    return failed[0] if failed else min(runs, key=lambda r: r.seconds)


def _all(runs: list[Run]) -> str:
    return "best of " + ", ".join(f"{r.seconds:.2f}" for r in runs) + " s"


def _s(run: Run | None) -> str:
    if run is None:
        return "—"
    if not run.ok:
        return "error" if run.returncode is not None else "timeout"
    return f"{run.seconds:.2f}"


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _ratio(row: Row) -> float | None:
    """The cold build in units of markdown-it-py's full parse of the same files."""
    if row.cold is None or not row.cold.ok or not row.parse_s:
        return None
    return row.cold.seconds / row.parse_s


def print_report(rows: list[Row]) -> None:
    print()
    print("Every run with compiled bytecode (a PYTHONPYCACHEPREFIX filled by one warm-up build), as a user's.")
    print()
    print("| guides | MB of markdown | notes | cards | cold s | cards/s | no-change s | one-changed s "
          "| --help s | peak RSS MB | markdown-it parse s | cold / parse |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cps = "—"
        if r.cold is not None and r.cold.ok and r.cards:
            cps = f"{r.cards / r.cold.seconds:,.0f}"
        rss = r.peak_rss()
        print(f"| {r.size:,} | {r.mb:.2f} | {_n(r.notes)} | {_n(r.cards)} | {_s(r.cold)} | {cps} "
              f"| {_s(r.nochange)} | {_s(r.one)} | {'—' if r.help_s is None else f'{r.help_s:.3f}'} "
              f"| {'—' if rss is None else f'{rss:.0f}'} | {'—' if r.parse_s is None else f'{r.parse_s:.2f}'} "
              f"| {'—' if _ratio(r) is None else f'{_ratio(r):.2f}'} |")

    print()
    for r in rows:
        for name, run in (("cold", r.cold), ("no-change", r.nochange), ("one-changed", r.one)):
            if run is not None and run.ok and run.summary():
                extra = f" (edited {r.changed})" if name == "one-changed" else ""
                print(f"- {r.size:,} guides, {name}{extra}: `{run.summary()}`; RSS {run.rss_mb:.0f} MB")
        for err in r.errors:
            print(f"- {r.size:,} guides: ERROR: {err}")

    largest = max(rows, key=lambda r: r.size)
    print()
    print(f"Targets, checked at the largest size ({largest.size:,} guides):")
    print()
    cold = largest.cold.seconds if largest.cold and largest.cold.ok else None
    seconds = {
        "one": largest.one.seconds if cold and largest.one and largest.one.ok else None,
        "nochange": largest.nochange.seconds if cold and largest.nochange and largest.nochange.ok else None,
    }
    measured = {
        "cold": cold,
        **{key: s / cold if s is not None and cold else None for key, s in seconds.items()},
        "rss": largest.peak_rss(),
        "help": largest.help_s,
        "parse": _ratio(largest),
    }
    for key, (label, limit, unit) in TARGETS.items():
        value = measured[key]
        if value is None:
            verdict, shown = "not met (no measurement)", "—"
        else:
            verdict, shown = ("met" if value <= limit else "not met"), f"{value:.3g} {unit}"
            if key == "parse":
                shown = f"{value:.2f}{unit} ({largest.parse_s:.2f} s parse)"
            elif key in seconds:
                shown = f"{value:.3f}{unit} ({seconds[key]:.2f} s)"
        note = ""
        if key == "cold" and largest.size != 1000:
            note = f" (target is for 1,000 guides; measured at {largest.size:,})"
        print(f"- {label} ≤ {limit:g} {unit}: {shown} — **{verdict}**{note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,100,1000", help="comma-separated guide counts")
    parser.add_argument("--workdir", type=Path, help="where corpora and outputs go (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder afterwards")
    parser.add_argument("--seed", default="0", help="corpus seed (default 0)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds before a run is killed")
    parser.add_argument("--cold-runs", type=int, default=2, help="cold builds, each after a parse (default 2)")
    args = parser.parse_args()

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    exe = deckbuilder_exe()
    if args.workdir:
        work = args.workdir.resolve()
        work.mkdir(parents=True, exist_ok=True)
        created = False
    else:
        work = Path(tempfile.mkdtemp(prefix="deckbuilder-bench-"))
        created = True
    print(f"deckbuilder: {exe}\nwork folder: {work}", file=sys.stderr, flush=True)
    prefix = use_bytecode(work, exe, args.seed, args.timeout)
    print(f"bytecode: compiled once into {prefix} (PYTHONPYCACHEPREFIX), as a user's runs reuse it",
          file=sys.stderr, flush=True)

    rows: list[Row] = []
    try:
        for size in sizes:
            try:
                rows.append(bench_size(size, work, exe, args.seed, args.timeout, max(1, args.cold_runs)))
            except Exception as exc:  # keep going; a benchmark reports, it does not assert
                row = Row(size)
                row.errors.append(f"benchmark harness error: {exc!r}")
                rows.append(row)
        if rows:
            print_report(rows)
    finally:
        if args.keep:
            print(f"\n(work folder kept: {work})", file=sys.stderr)
        elif created:
            shutil.rmtree(work, ignore_errors=True)
        else:  # a --workdir given by the user: remove only what this run created in it
            shutil.rmtree(prefix, ignore_errors=True)
            for size in sizes:
                for name in (f"corpus-{size}", f"out-{size}.apkg", f"logs-{size}"):
                    path = work / name
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    elif path.exists():
                        path.unlink()
    return 0


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
