"""``deckbuilder watch``: rebuild whenever a guide under the source folders is saved.

watchfiles batches file events and waits ``debounce`` ms for quiet before yielding, so an
editor's burst of writes triggers one build. A build that fails (a half-saved or broken
file) prints its one-line error and the watcher carries on with the next save.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from .build import BuildResult, build
from .documents import MARKDOWN_SUFFIXES
from .errors import DeckbuilderError
from .lockfile import LOCK_NAME


def _relevant(change: object, path: str) -> bool:
    name = Path(path).name
    suffixes = (*MARKDOWN_SUFFIXES, ".yaml")
    return name != LOCK_NAME and Path(path).suffix.lower() in suffixes and not name.startswith(".")


def rebuild(
    paths: list[Path], out: Path, report: Callable[[BuildResult], None], config: Path | None = None
) -> bool:
    """One build (config re-read each time); errors are printed, never raised. Returns success."""
    from .config import settings_for

    try:
        settings = settings_for(paths, config)  # issue 14: with the story bank
        report(build(paths, out, config=settings))
        return True
    except DeckbuilderError as err:
        err.show()
        return False


def _story_folder(paths: list[Path], config: Path | None) -> list[Path]:
    """Issue 14: a story bank outside the guides folders is watched too (a broken setting
    gives none here: each rebuild prints its error)."""
    from .config import settings_for

    try:
        bank = settings_for(paths, config).bank
    except DeckbuilderError:
        return []
    return [Path(bank.folder)] if bank is not None else []


def watch_and_build(
    paths: list[Path],
    out: Path,
    debounce: int,
    report: Callable[[BuildResult], None],
    stop_event=None,
    config: Path | None = None,
) -> None:
    from watchfiles import watch

    rebuild(paths, out, report, config)
    folders = [p if p.is_dir() else p.parent for p in paths]
    folders += [f for f in _story_folder(paths, config) if not any(f.is_relative_to(g) for g in folders)]
    click.echo(f"watching {', '.join(map(str, folders))} (Ctrl-C to stop)", err=True)
    for _changes in watch(*folders, watch_filter=_relevant, debounce=debounce, step=50, stop_event=stop_event):
        rebuild(paths, out, report, config)
