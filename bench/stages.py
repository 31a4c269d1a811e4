"""Serial CPU of each per-guide stage, over a folder of guides.

    python bench/stages.py FOLDER [--repeat N]

For the speed work of issue 13: where one guide's CPU goes, with no profiler in the way.
Every guide of FOLDER is read into memory first; then, in this one process, each is
parsed into its section tree (``build_document``), its cards extracted (``extract``) and
rendered into notes with their tags and GUIDs (``_render_notes``), as
``documents.process_file`` does, with ``time.process_time`` around each stage.

On a machine shared with other work, CPU seconds still swing by a tenth between runs;
the ratio of extract + render to the parse is steadier than either, since the parse is
the same code before and after a change to extraction or rendering. Prints one line per
run and always exits 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from deckbuilder import documents  # noqa: E402
from deckbuilder.config import Config  # noqa: E402
from deckbuilder.extractors import REGISTRY, extract  # noqa: E402
from deckbuilder.reader import parse_source, relative_path  # noqa: E402
from deckbuilder.sections import build_document  # noqa: E402


def run(guides: list[tuple[Path, Path, bytes]], config: Config) -> dict[str, float]:
    """One serial pass over the guides: CPU seconds per stage, and the notes made."""
    spent = {"parse": 0.0, "extract": 0.0, "render": 0.0, "notes": 0.0}
    for path, root, data in guides:
        source = parse_source(data, str(path), relative_path(path, root))
        start = time.process_time()
        document = build_document(source)
        parsed = time.process_time()
        specs = tuple(extract(document, config.enabled(list(REGISTRY), config.document(source.rel))).specs)
        extracted = time.process_time()
        ident = documents.doc_id(source.rel)
        notes = list(documents._render_notes(str(path), ident, document.title, document.title, specs, config))
        rendered = time.process_time()
        spent["parse"] += parsed - start
        spent["extract"] += extracted - parsed
        spent["render"] += rendered - extracted
        spent["notes"] += len(notes)
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="serial passes, each in a new process")
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.once:  # a new process each time: no pass finds the caches the one before filled
        for _ in range(args.repeat):
            subprocess.run([sys.executable, __file__, str(args.folder), "--once"], check=True)
        return 0
    root = args.folder
    guides = [(p, root, p.read_bytes()) for p in sorted(root.rglob("*.md"))]
    spent = run(guides, Config(stories="off"))
    ratio = (spent["extract"] + spent["render"]) / spent["parse"]
    print(f"{len(guides)} guides, {spent['notes']:.0f} notes: parse {spent['parse']:.2f} s, "
          f"extract {spent['extract']:.2f} s, render {spent['render']:.2f} s; "
          f"(extract + render) / parse {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
