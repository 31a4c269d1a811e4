"""Command line: maps arguments to the library and errors to one-line messages."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from . import __version__

DEFAULT_SOURCE = Path("source")
DEFAULT_OUT = Path("build")


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        click.echo(f"warning: {record.getMessage()}", err=True)


def _setup_logging() -> _WarningCounter:
    logger = logging.getLogger("deckbuilder")
    logger.handlers[:] = []
    counter = _WarningCounter()
    logger.addHandler(counter)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return counter


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckbuilder")
def main() -> None:
    """Turn interview-prep markdown guides into an Anki deck."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="An .apkg file, or a folder to write deck.apkg into.")
def build(paths: tuple[Path, ...], out: Path) -> None:
    """Build an .apkg from PATHS (files or folders; default: source/)."""
    from .build import build as run_build
    from .model import NoteKind

    _setup_logging()
    result = run_build(list(paths) or [DEFAULT_SOURCE], out)
    names = {NoteKind.RECALL: "recall", NoteKind.CLOZE: "cloze", NoteKind.RED_FLAG: "red flag"}
    for doc in result.documents:
        counts = result.counts(doc)
        parts = ", ".join(f"{counts.get(k, 0)} {names[k]}" for k in NoteKind)
        click.echo(f"{doc.document.source.path}: {sum(counts.values())} notes ({parts})")
    click.echo(f"wrote {len(result.notes)} notes to {result.output}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
