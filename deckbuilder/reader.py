"""Read one guide: bytes -> UTF-8 text -> mojibake repaired -> front matter split off."""

from __future__ import annotations

import re
from pathlib import Path

from .encoding import decode, repair_mojibake
from .errors import FrontMatterError, InputError
from .model import SourceText

MAX_BYTES = 20 * 1024 * 1024  # a guide is prose; anything bigger is a mistake


def read_source(path: Path, root: Path) -> SourceText:
    """Read ``path`` (a file under ``root``) into a ``SourceText``.

    Raises ``InputError`` for unreadable, binary, oversized or non-UTF-8 files and
    ``FrontMatterError`` for bad front matter. ``SourceText.repaired`` tells of mojibake.
    """
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"file is {size / 1e6:.0f} MB, over the {MAX_BYTES // 2**20} MB limit for a guide; split it",
                shown,
            )
        data = path.read_bytes()
    except PermissionError:
        raise InputError("cannot read the file: permission denied", shown) from None
    except IsADirectoryError:
        raise InputError("expected a markdown file, found a folder", shown) from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror}", shown) from None
    return parse_source(data, shown, relative_path(path, root))


def parse_source(data: bytes, shown: str, rel: str) -> SourceText:
    """Decode and split ``data``; ``shown`` names the file in messages."""
    if b"\x00" in data[:8192]:
        raise InputError("this is a binary file, not markdown", shown)
    try:
        text = decode(data)
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8", shown, line
        ) from None
    text, codec = repair_mojibake(text)
    meta, body, body_line = split_front_matter(text, shown)
    return SourceText(
        path=shown, rel=rel, text=body, front_matter=meta, body_line=body_line, repaired=codec
    )


# Front matter opens with a setting ("deck: Conflict"); a block that opens with a heading,
# prose or a list is a guide whose first line is a thematic break.
_SETTING = re.compile(r"[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)", re.M)


def split_front_matter(text: str, shown: str) -> tuple[tuple[tuple[str, object], ...], str, int]:
    """Split a leading ``---`` YAML block off ``text``; return (items, body, body's first line)."""
    if not text.startswith("---\n"):
        return (), text, 1
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4 : end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 4)
    if end == -1:
        return (), text, 1
    raw = text[4 : end + 1]
    if not _SETTING.match(raw.lstrip("\n")):
        return (), text, 1  # a guide that opens with a rule: markdown between two rules, not settings
    import yaml  # here: a build with no settings file and no front matter never loads it

    try:
        meta = yaml.safe_load(raw) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise FrontMatterError(f"front matter: {problem}", shown, line) from None
    except RecursionError:
        raise FrontMatterError("front matter: nested too deeply", shown, 2) from None
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be a mapping of keys to values", shown, 2)
    body = text[end + 4 :].lstrip("\n")
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return tuple(sorted((str(k), v) for k, v in meta.items())), body, body_line


def relative_path(path: Path, root: Path, resolved_root: Path | None = None) -> str:
    """``path`` relative to ``root``, posix style: a document's identity. Pass
    ``root.resolve()`` as ``resolved_root`` when naming many files under one root."""
    try:
        return path.resolve().relative_to(resolved_root or root.resolve()).as_posix()
    except ValueError:
        return path.name
