"""Errors written for people: each names the file (and line) and says what to do.

They subclass ``click.ClickException`` so the CLI prints the one-line message and
exits non-zero without any plumbing. Tracebacks are for bugs only.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .model import SourceWarning

# C0 and C1 controls (a file name can hold an escape sequence that rewrites the terminal),
# and lone surrogates (the bytes of a file name that is not UTF-8)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: controls and undecodable bytes as ``\\xNN``."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]) & 0xFF:02x}", text)


class DeckbuilderError(click.ClickException):
    """Base class; ``str(err)`` is the full one-line message. ``warnings`` are the ones
    found before the error that explain it ("no guide gave any cards": each guide's
    warning says why), shown above it."""

    exit_code = 1

    def __init__(self, message: str, path: str = "", line: int = 0, warnings: tuple[SourceWarning, ...] = ()) -> None:
        where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line
        self.warnings = warnings

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole, so that an error raised in a worker process arrives with its class,
        path and line (an exception pickles by its ``args``: the message alone)."""
        return _restore, (type(self), self.__dict__)

    def show(self, file=None) -> None:  # type: ignore[no-untyped-def]
        """One ``warning:`` line per warning behind it, then one ``error:`` line per problem, on stderr."""
        for warning in self.warnings:
            click.echo(f"warning: {printable(str(warning))}", err=True, file=file)
        for line in self.message.splitlines():
            click.echo(f"error: {printable(line)}", err=True, file=file)


def _restore(cls: type[DeckbuilderError], state: dict[str, Any]) -> DeckbuilderError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    err.args = (state.get("message", ""),)
    return err


class InputError(DeckbuilderError):
    """A source path is missing, unreadable, not text or not UTF-8."""


class FrontMatterError(DeckbuilderError):
    """A document's YAML front matter does not parse or has bad values."""


class ConfigError(DeckbuilderError):
    """deckbuilder.yaml does not parse or has bad values."""


class OutputError(DeckbuilderError):
    """The deck cannot be written where asked."""


class BuildErrors(DeckbuilderError):
    """Several documents failed; every message is kept so one never hides another."""

    def __init__(self, errors: list[DeckbuilderError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class NoStoriesError(DeckbuilderError):
    """``deckbuilder stories`` found no story bank: no ``stories/`` folder and none configured."""
