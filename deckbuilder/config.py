"""``deckbuilder.yaml``: optional settings, validated with every problem reported at once.

Found next to the sources (in the first folder given) or passed with ``--config``::

    deck: Interview Prep            # the root deck's name
    output: interview-prep.apkg     # file name when -o is a folder (default deck.apkg)
    tag_prefix: deckbuilder         # first part of every tag
    templates: my-templates         # folder of template overrides, relative to this file
    extractors:                     # switch any extractor off
      metrics: false
    math: true                      # let Anki's MathJax typeset formulas (default: shown as text)
    stories: ~/private/stories      # your story bank (default: stories/ in the guides folder; false: none)
    documents:                      # per-document settings, by path relative to the sources
      behavioral/conflict.md:
        deck: Conflict              # this document's deck name (instead of its title)
        skip: true                  # leave it out

A document's YAML front matter takes the same per-document keys (``deck``, ``skip``,
``extractors``).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

STORIES_FOLDER = "stories"  # the default story bank: this folder at the top of the guides folder

if TYPE_CHECKING:
    from .stories import Bank

log = logging.getLogger("deckbuilder")

CONFIG_NAME = "deckbuilder.yaml"
DEFAULT_ROOT_DECK = "Interview Prep"
DEFAULT_OUTPUT = "deck.apkg"
DEFAULT_TAG_PREFIX = "deckbuilder"
DOCUMENT_KEYS = ("deck", "skip", "extractors")
TOP_KEYS = ("deck", "output", "tag_prefix", "templates", "extractors", "documents", "math", "stories")
MAX_CONFIG_BYTES = 1 << 20  # settings, not data
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class DocumentSettings:
    deck: str = ""
    skip: bool = False
    extractors: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class Config:
    root_deck: str = DEFAULT_ROOT_DECK
    output: str = DEFAULT_OUTPUT
    tag_prefix: str = DEFAULT_TAG_PREFIX
    templates: str = ""  # absolute path or ""
    extractors: tuple[tuple[str, bool], ...] = ()
    documents: tuple[tuple[str, DocumentSettings], ...] = ()
    math: bool = False  # let MathJax typeset \( \) and \[ \] (a safe subset; see inert.py)
    source: str = ""  # the file it came from, for messages
    stories: str = ""  # the story bank folder named here (absolute), "" for the default, "off" for none
    bank: Bank | None = None  # the stories read in (``stories.with_bank``); its repr keys the guides' cache

    def document(self, rel: str) -> DocumentSettings:
        return dict(self.documents).get(rel, DocumentSettings())

    def enabled(self, names: list[str], doc: DocumentSettings) -> list[str]:
        switches = dict(self.extractors) | dict(doc.extractors)
        return [n for n in names if switches.get(n, True)]


@dataclass
class _Checker:
    where: str
    errors: list[str] = field(default_factory=list)

    def fail(self, key: str, problem: str) -> None:
        self.errors.append(f"{self.where}: {key}: {problem}" if key else f"{self.where}: {problem}")

    def unknown(self, key: str, allowed: tuple[str, ...]) -> None:
        log.warning("%s: unknown key '%s' (ignored; expected one of: %s)", self.where, key, ", ".join(allowed))

    def string(self, data: dict[str, Any], key: str, path: str) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "expected a non-empty text")
            return ""
        if _CONTROL.search(value):
            self.fail(path, "control characters (such as a NUL or a newline) are not allowed")
            return ""
        return value.strip()

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, "expected true or false")
            return True
        return value


def load_config(path: Path | None, known_extractors: list[str]) -> Config:
    """Read and validate ``path``; ``None`` gives the defaults. Raises ConfigError listing all problems."""
    if path is None:
        return Config()
    import yaml  # here: a build with no settings file never loads it

    where = str(path)
    try:
        data = yaml.safe_load(_read_settings(path))
    except FileNotFoundError:
        raise ConfigError("config file not found", where) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read the config file: {err}", where) from None
    except RecursionError:
        raise ConfigError("invalid YAML: nested too deeply", where) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", where, mark.line + 1 if mark else 0) from None
    if data is None:
        return Config(source=where)
    check = _Checker(path.name)
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping of settings (key: value)", where)
    for key in data:
        if key not in TOP_KEYS:
            check.unknown(str(key), TOP_KEYS)
    settings: dict[str, Any] = {"source": where}
    if "deck" in data:
        settings["root_deck"] = check.string(data, "deck", "deck").replace("::", ":")
    if "output" in data:
        output = check.string(data, "output", "output")
        if output and (not output.endswith(".apkg") or "/" in output or "\\" in output):
            check.fail("output", "expected a file name ending in .apkg, without folders")
        settings["output"] = output
    if "tag_prefix" in data:
        prefix = check.string(data, "tag_prefix", "tag_prefix")
        if prefix and not re.fullmatch(r"[\w:-]+", prefix):
            check.fail("tag_prefix", "expected letters, digits, '-', '_' or '::' (no spaces)")
        settings["tag_prefix"] = prefix
    if "templates" in data:
        folder = check.string(data, "templates", "templates")
        resolved = (path.parent / folder).resolve() if folder else None
        if resolved is not None and not resolved.is_dir():
            check.fail("templates", f"no such folder: {resolved}")
        settings["templates"] = str(resolved or "")
    if "extractors" in data:
        settings["extractors"] = _extractors(check, data["extractors"], "extractors", known_extractors)
    if "documents" in data:
        settings["documents"] = _documents(check, data["documents"], known_extractors)
    if "math" in data:
        settings["math"] = check.boolean(data["math"], "math")
    if "stories" in data:
        settings["stories"] = _stories(check, data["stories"], path)
    if check.errors:
        raise ConfigError("\n".join(check.errors))
    return Config(**settings)


def _stories(check: _Checker, value: object, path: Path) -> str:
    """``false``: no stories; ``true``: the default folder; a folder (``~`` and relative to
    this file allowed), which may lie outside the repository: stories are personal."""
    if value is False:
        return "off"
    if value is True:
        return ""
    if not isinstance(value, str) or not value.strip() or _CONTROL.search(value):
        check.fail("stories", "expected a folder, or false")
        return ""
    folder = (path.parent / Path(value.strip()).expanduser()).resolve()
    if not folder.is_dir():
        check.fail("stories", f"no such folder: {folder}")
        return ""
    return str(folder)


def _read_settings(path: Path) -> str:
    """The file's text; a device (``/dev/zero``), a pipe or anything huge is refused, never read forever."""
    import stat

    with path.open("rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ConfigError("not a regular file", str(path))
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"over {MAX_CONFIG_BYTES // 1024} KB; a settings file is small", str(path))
    return data.decode("utf-8")


def document_settings(meta: dict[str, Any], where: str, known_extractors: list[str]) -> DocumentSettings:
    """Validate the per-document keys of a front matter block (other keys are left to the author)."""
    check = _Checker(where)
    settings = _document(check, {k: v for k, v in meta.items() if k in DOCUMENT_KEYS}, "front matter",
                         known_extractors)
    if check.errors:
        raise ConfigError("\n".join(check.errors))
    return settings


def _extractors(check: _Checker, value: object, path: str, known: list[str]) -> tuple[tuple[str, bool], ...]:
    if not isinstance(value, dict):
        check.fail(path, "expected a mapping of extractor names to true or false")
        return ()
    out = []
    for name, switch in value.items():
        if name not in known:
            check.fail(f"{path}.{name}", f"unknown extractor; expected one of: {', '.join(known)}")
            continue
        out.append((str(name), check.boolean(switch, f"{path}.{name}")))
    return tuple(out)


def _documents(check: _Checker, value: object, known: list[str]) -> tuple[tuple[str, DocumentSettings], ...]:
    if not isinstance(value, dict):
        check.fail("documents", "expected a mapping of document paths to settings")
        return ()
    return tuple(
        (str(rel), _document(check, settings, f"documents.{rel}", known)) for rel, settings in value.items()
    )


def _document(check: _Checker, value: object, path: str, known: list[str]) -> DocumentSettings:
    if not isinstance(value, dict):
        check.fail(path, "expected a mapping with deck, skip or extractors")
        return DocumentSettings()
    for key in value:
        if key not in DOCUMENT_KEYS:
            check.unknown(f"{path}.{key}", DOCUMENT_KEYS)
    deck = check.string(value, "deck", f"{path}.deck").replace("::", ":") if "deck" in value else ""
    skip = check.boolean(value["skip"], f"{path}.skip") if "skip" in value else False
    extractors = _extractors(check, value["extractors"], f"{path}.extractors", known) if "extractors" in value else ()
    return DocumentSettings(deck, skip, extractors)


def settings_for(paths: list[Path], explicit: Path | None) -> Config:
    """The settings for a build of ``paths``: the settings file found (or ``explicit``),
    checked, with the story bank read in. The extractors and the story reader are imported
    only when a settings file or a bank needs them: a build that finds nothing changed
    does without (a tenth of a second)."""
    path = find_config(paths, explicit)
    known: list[str] = []
    if path is not None:  # it may name extractors
        from .extractors import REGISTRY

        known = list(REGISTRY)
    settings = load_config(path, known)
    if bank_folder(settings, paths) is None:
        return settings
    from .stories import with_bank  # issue 14

    return with_bank(settings, paths)


def bank_folder(config: Config, paths: list[Path]) -> Path | None:
    """The story bank to read: the folder named by ``stories:``, else ``stories/`` in the
    first guides folder when there is one; None when there is none to read (``stories:
    false``, or already read)."""
    if config.bank is not None or config.stories == "off" or not paths:
        return None
    first = paths[0] if paths[0].is_dir() else paths[0].parent
    folder = Path(config.stories) if config.stories else first / STORIES_FOLDER
    return folder if config.stories or folder.is_dir() else None


def find_config(paths: list[Path], explicit: Path | None) -> Path | None:
    """``--config`` wins; otherwise ``deckbuilder.yaml`` in the first source folder, if any."""
    if explicit is not None:
        return explicit
    first = paths[0]
    candidate = (first if first.is_dir() else first.parent) / CONFIG_NAME
    return candidate if candidate.is_file() else None
