"""Command line: maps arguments to the library and errors to one-line messages."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import DeckbuilderError, printable

if TYPE_CHECKING:
    from .build import BuildResult
    from .model import SourceWarning

DEFAULT_SOURCE = Path("source")
DEFAULT_OUT = Path("build")
_LOGGED = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>.*)$", re.S)


class _LoggedWarnings(logging.Handler):
    """The few warnings logged outside a guide (a settings file's unknown key, a link out of
    the folder): printed at once, and kept as data so that they are counted with the rest."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warnings: list[SourceWarning] = []

    def emit(self, record: logging.LogRecord) -> None:
        from .model import SourceWarning

        text = record.getMessage()
        m = _LOGGED.match(text)
        path, sep, message = text.partition(": ")
        warning = (SourceWarning(m["path"], int(m["line"]), m["message"]) if m else
                   SourceWarning(path, 0, message) if sep else SourceWarning("", 0, text))
        self.warnings.append(warning)
        click.echo(f"warning: {printable(text)}", err=True)


def _setup_logging() -> _LoggedWarnings:
    logger = logging.getLogger("deckbuilder")
    logger.handlers[:] = []
    handler = _LoggedWarnings()
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return handler


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deckbuilder")
def main() -> None:
    """Turn interview-prep markdown guides into an Anki deck."""


def _paths(paths: tuple[Path, ...]) -> list[Path]:
    return list(paths) or [DEFAULT_SOURCE]


CONFIG_OPTION = click.option(
    "--config", type=click.Path(path_type=Path, dir_okay=False),
    help="Settings file (default: deckbuilder.yaml beside the sources, if any).",
)

VERBOSE_OPTION = click.option(
    "-v", "--verbose", is_flag=True,
    help="List every note added, reworded, moved or removed (old and new text for rewordings).",
)


def _config(paths: list[Path], explicit: Path | None, templates: Path | None = None):
    """Load and validate the settings; --templates overrides the config's folder."""
    from dataclasses import replace

    from .config import settings_for

    settings = settings_for(paths, explicit)
    return replace(settings, templates=str(templates.resolve())) if templates else settings


def _print_report(
    result: BuildResult, dry_run: bool, verbose: bool = False, logged: list[SourceWarning] | None = None
) -> None:
    """The line-based report: each warning about the guides on stderr, one line per guide on
    stdout, then the warnings' count (with those ``logged`` already); with ``verbose``, one
    line per note added, reworded, moved or removed."""
    from .report import count_line, plain_lines, warning_line

    for warning in result.summary.warnings:
        click.echo(warning_line(warning), err=True)
    for line in plain_lines(result, dry_run, verbose):
        click.echo(line)
    warnings = (logged or []) + result.summary.warnings
    if warnings:
        click.echo(count_line(warnings), err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="An .apkg file, or a folder to write deck.apkg into.")
@click.option("--dry-run", is_flag=True, help="Show the change report without writing anything.")
@VERBOSE_OPTION
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="A folder whose *.html / cards.css override the built-in templates.")
@CONFIG_OPTION
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes for parsing (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the per-file cache.")
@click.option("--adopt-lock", is_flag=True,
              help="Take over a deckbuilder.lock made for another project or deck name (after renaming).")
@click.option("--strict", is_flag=True, help="Exit 1 if there is any warning (the deck is written all the same).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a short summary on a terminal, one line per guide otherwise; json: one JSON document.")
def build(
    paths: tuple[Path, ...], out: Path, dry_run: bool, verbose: bool, templates: Path | None, config: Path | None,
    jobs: int | None, no_cache: bool, adopt_lock: bool, strict: bool, fmt: str,
) -> None:
    """Build an .apkg from PATHS (files or folders; default: source/)."""
    from .build import build as run_build
    from .progress import Progress
    from .report import as_json, summary_lines

    logged = _setup_logging()
    settings = _config(_paths(paths), config, templates)
    progress = Progress(sys.stderr) if fmt == "text" else None
    try:
        result = run_build(_paths(paths), out, config=settings, dry_run=dry_run, use_cache=not no_cache,
                           workers=jobs, adopt_lock=adopt_lock, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    warnings = logged.warnings + result.summary.warnings
    if fmt == "json":
        click.echo(as_json(result, dry_run, warnings))
    elif sys.stdout.isatty():
        for line in summary_lines(result, dry_run, verbose, logged.warnings):
            click.echo(line)
    else:
        _print_report(result, dry_run, verbose, logged.warnings)
    if strict and warnings:
        from .report import count_line

        done = "nothing was written" if dry_run else "the deck was written"
        raise DeckbuilderError(f"{count_line(warnings)}, and --strict makes them errors ({done})")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--collection", "collection_file", type=click.Path(path_type=Path, dir_okay=False),
              help="The collection.anki2 to change (default: the profile's, in Anki's data folder).")
@click.option("--profile", metavar="NAME", help="The Anki profile whose collection to change (default: the only one).")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Where the .apkg is also written (an .apkg file, or a folder for deck.apkg).")
@click.option("--dry-run", is_flag=True, help="Show what would change, in the deck and the collection; write nothing.")
@click.option("--delete-removed", is_flag=True, help="Delete notes that left the guides, not just suspend them.")
@VERBOSE_OPTION
@CONFIG_OPTION
def sync(
    paths: tuple[Path, ...], collection_file: Path | None, profile: str | None, out: Path, dry_run: bool,
    delete_removed: bool, verbose: bool, config: Path | None,
) -> None:
    """Build PATHS and bring your Anki collection to the same state (close Anki first).

    Adds and updates notes as an .apkg import would, moves the cards of notes whose deck
    changed, suspends (or deletes) notes that left the guides and removes the decks left
    empty. Never changes scheduling or review history. Then sync Anki to AnkiWeb as usual."""
    from .sync import find_collection
    from .sync import sync as run_sync

    _setup_logging()
    sources = _paths(paths)
    target = find_collection(collection_file, profile)
    result = run_sync(sources, target, out, config=_config(sources, config), dry_run=dry_run,
                      delete_removed=delete_removed)
    _print_report(result.build, dry_run, verbose)
    verb = "would" if dry_run else "did"
    removed = f"delete {result.deleted} removed notes" if delete_removed else f"suspend {result.suspended} cards"
    click.echo(printable(f"{target}: {verb} move {result.moved} cards, {removed}"
               + (f", unsuspend {result.restored} cards back in a guide" if result.restored else "")
               + (f", remove {len(result.removed_decks)} empty decks" if result.removed_decks else "")))
    if result.imported:
        click.echo(printable(f"{target}: imported " + ", ".join(f"{n} {k}" for k, n in result.imported.items() if n)))
    if result.backup is not None:
        click.echo(printable(f"backup: {result.backup}"))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="An .apkg file, or a folder to write deck.apkg into.")
@click.option("--debounce", type=click.IntRange(min=0), default=400, show_default=True,
              help="Milliseconds to wait for quiet.")
@CONFIG_OPTION
def watch(paths: tuple[Path, ...], out: Path, debounce: int, config: Path | None) -> None:
    """Rebuild on every save under PATHS, printing the change report."""
    from .watch import watch_and_build

    _setup_logging()
    watch_and_build(_paths(paths), out, debounce, report=lambda result: _print_report(result, False),
                    config=config)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--fix-encoding", is_flag=True, help="Rewrite files with broken encoding in place (keeps a .bak).")
@CONFIG_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a line per finding; json: one JSON document with every finding, for editors and CI.")
def check(paths: tuple[Path, ...], strict: bool, fix_encoding: bool, config: Path | None, fmt: str) -> None:
    """Lint guides without writing anything (exit 1 on errors)."""
    from .check import Finding, findings_json
    from .check import check as run_check
    from .check import fix_encoding as run_fix

    logged = _setup_logging()  # the guides' warnings are findings; a settings file's counts too
    sources = _paths(paths)
    if fix_encoding:
        for path, backup in run_fix(sources):
            click.echo(printable(f"{path}: repaired the encoding (original kept as {backup.name})"),
                       err=fmt == "json")
    findings = run_check(sources, _config(sources, config))
    errors = sum(f.level == "error" or strict for f in findings) + (len(logged.warnings) if strict else 0)
    warnings = len(findings) + len(logged.warnings) - errors
    if fmt == "json":
        found = findings + [Finding("warning", w.path, w.line, w.message) for w in logged.warnings]
        click.echo(findings_json(found, strict))
    else:
        for finding in findings:
            click.echo(printable(str(finding)))
        click.echo(f"{errors} error(s), {warnings} warning(s)")
    if errors:
        sys.exit(1)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@CONFIG_OPTION
def cards(paths: tuple[Path, ...], fmt: str, config: Path | None) -> None:
    """List the cards PATHS would make: note type, kind, deck, tags, GUID, fields, source."""
    import json

    from .documents import candidates, load_documents
    from .model import FIELDS
    from .notetypes import NOTE_TYPES

    _setup_logging()
    sources = _paths(paths)
    settings = _config(sources, config)
    rows: list[dict[str, Any]] = []
    docs = load_documents(sources, settings)
    cands = candidates(docs)
    for cand in cands:
        record = cand  # a RenderedNote: fields, tags and deck as rendered
        rows.append({
            "note_type": NOTE_TYPES[record.note_kind].name,
            "kind": cand.kind,
            "deck": record.deck,
            "tags": list(record.tags),
            "guid": record.guid,
            "fields": dict(zip(FIELDS[record.note_kind], record.fields, strict=True)),
            "source": cand.where,
        })
    _explain_stories(rows, cands, docs, settings.bank)
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        front = str(next(iter(row["fields"].values())))
        click.echo(printable(f"{row['source']:<40} {row['kind']:<10} {row['guid']:<12} {_short(front)}"))
    click.echo(f"{len(rows)} cards")


def _explain_stories(rows: list[dict[str, Any]], cands, docs, bank) -> None:  # type: ignore[no-untyped-def]
    """Issue 14: with a story bank, each interview question's row says which stories it
    shows and which rule matched each (``story_match``)."""
    from .story_match import is_question, spec_matches

    if bank is None:
        return
    specs = {(d.doc_id, s.kind.value, " ".join(s.front.split())): s for d in docs for s in d.specs or ()}
    for row, cand in zip(rows, cands, strict=True):
        spec = specs.get((cand.doc, cand.kind, cand.key))
        if spec is not None and is_question(spec):
            row["stories"] = [m.explain() for m in spec_matches(bank, spec)]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@CONFIG_OPTION
def stories(paths: tuple[Path, ...], fmt: str, config: Path | None) -> None:
    """Which interview questions your stories cover: per guide and category, then the
    questions no story covers and the stories that answer nothing."""
    import json

    from .coverage import as_json, as_text, coverage
    from .documents import load_documents
    from .errors import NoStoriesError
    from .story_cards import DOC_ID

    _setup_logging()
    sources = _paths(paths)
    settings = _config(sources, config)
    if settings.bank is None:
        raise NoStoriesError("no story bank: make a stories/ folder in the guides folder, or name one with "
                             "'stories:' in deckbuilder.yaml", str(sources[0]))
    docs = load_documents(sources, settings)
    found = coverage([(d.path, d.specs or ()) for d in docs if d.doc_id != DOC_ID], settings.bank)
    if fmt == "json":
        click.echo(json.dumps(as_json(found), ensure_ascii=False, indent=2))
        return
    for line in as_text(found):
        click.echo(printable(line))


def _short(html_text: str, width: int = 70) -> str:
    import html
    import re

    text = html.unescape(re.sub(r"<[^>]+>", " ", html_text))
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_OUT / "preview.html",
              show_default=True, help="The HTML file to write.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="A folder whose *.html / cards.css override the built-in templates.")
@CONFIG_OPTION
def preview(paths: tuple[Path, ...], out: Path, templates: Path | None, config: Path | None) -> None:
    """Write one self-contained HTML page showing every card's front and back."""
    from .preview import write_preview

    _setup_logging()
    sources = _paths(paths)
    result = write_preview(sources, out, _config(sources, config, templates))
    click.echo(printable(f"wrote {result.cards} cards ({result.notes} notes, {result.documents} documents) "
                         f"to {result.path}"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
