"""What a build tells the user, in the form that fits where it goes.

The report is the same data three ways:

- ``plain_lines``: line-based, for pipes, CI and logs (and today's tests): one line per
  guide, each warning on stderr, the total last. Every line stands alone, so ``grep``
  and ``diff`` work on it.
- ``summary_lines``: for a person at a terminal, a few lines whatever the number of
  guides: totals, the guides that changed, and the warnings grouped by kind with counts.
  With ``-v`` the per-guide lines and every warning come first.
- ``as_json``: one JSON document on stdout, everything in it, for tools.

Warnings are ``model.SourceWarning`` values: the build returns them (they are kept with
each guide's cached result), and commands add the few that are logged outside a guide
(a settings file's unknown key), so that every warning is counted the same way.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from .build import BuildResult
from .errors import printable
from .model import SourceWarning

STATES = ("added", "updated", "reworded", "moved", "unchanged", "removed")
NOTE_KINDS = {"recall": "recall", "cloze": "cloze", "red_flag": "red flag"}
CHANGED_SHOWN = 5  # the summary names this many changed guides at most; more are only counted


def warning_line(warning: SourceWarning) -> str:
    return printable(f"warning: {warning}")


def kinds(warnings: Iterable[SourceWarning]) -> Counter[str]:
    """How many warnings of each kind, most first; a warning without a kind is "other"."""
    return Counter(w.kind or "other" for w in warnings)


def count_line(warnings: Sequence[SourceWarning]) -> str:
    """``3 warnings (2 stub, 1 author-syntax)``."""
    by_kind = ", ".join(f"{n} {kind}" for kind, n in kinds(warnings).most_common())
    return f"{_count(len(warnings), 'warning')} ({by_kind})"


def guide_lines(result: BuildResult) -> list[str]:
    """One line per guide: notes by note type, then what changed since the last build; then
    the guides that are gone and what the user should know about the changes."""
    summary = result.summary
    out, shown = [], set()
    for path, doc_id, counts in summary.documents:
        shown.add(doc_id)
        parts = ", ".join(f"{counts.get(k, 0)} {name}" for k, name in NOTE_KINDS.items())
        out.append(f"{path}: {sum(counts.values())} notes ({parts}); {_changes(summary.changes.get(doc_id, {}))}")
    for doc_id, changes in sorted(summary.changes.items()):
        if doc_id not in shown:
            out.append(f"{doc_id}: document gone; {changes.get('removed', 0)} removed")
    out.extend(f"note: {note}" for note in summary.messages)
    return [printable(line) for line in out]


def event_lines(result: BuildResult) -> list[str]:
    """One line per note added, reworded, moved or removed."""
    return [printable(f"  {state:<8} {doc}: {what}") for state, doc, what in result.summary.events]


def total_line(result: BuildResult, dry_run: bool) -> str:
    summary = result.summary
    total = summary.total()
    totals = ", ".join(f"{total.get(s, 0)} {s}" for s in STATES)
    verb = "would write" if dry_run else "wrote"
    extra = f" ({summary.tombstones} tagged deckbuilder::removed)" if summary.tombstones > 0 else ""
    return printable(f"{verb} {summary.note_count} notes{extra} to {result.output}: {totals}")


def plain_lines(result: BuildResult, dry_run: bool, verbose: bool) -> list[str]:
    """The line-based report on stdout (warnings go to stderr, see ``warning_line``)."""
    return guide_lines(result) + (event_lines(result) if verbose else []) + [total_line(result, dry_run)]


def summary_lines(
    result: BuildResult, dry_run: bool, verbose: bool, logged: Sequence[SourceWarning] = ()
) -> list[str]:
    """A few lines for a terminal, however many guides: totals, changed guides, warnings by
    kind. ``-v`` puts the per-guide lines, each note's change and every warning about the
    guides first. ``logged``: warnings already printed as they came, counted here too."""
    summary = result.summary
    warnings = [*logged, *summary.warnings]
    out = []
    if verbose:
        out += guide_lines(result) + event_lines(result) + [warning_line(w) for w in summary.warnings]
    else:
        out += [printable(f"note: {note}") for note in summary.messages]
    notes: Counter[str] = Counter()
    for _, _, counts in summary.documents:
        notes.update(counts)
    parts = ", ".join(f"{notes.get(k, 0)} {name}" for k, name in NOTE_KINDS.items())
    out.append(f"{_count(len(summary.documents), 'guide')}: {_count(sum(notes.values()), 'note')} ({parts})")
    changed = _changed(result)
    if not changed:
        out.append("changed: no guide")
    elif len(changed) > CHANGED_SHOWN or verbose:  # too many to name, or named above
        out.append(f"changed: {_count(len(changed), 'guide')}" + ("" if verbose else "; -v lists them"))
    else:
        out.append(f"changed: {_count(len(changed), 'guide')}")
        out += [printable(f"  {where}: {what}") for where, what in changed]
    if warnings:
        out.append(count_line(warnings) + ("" if verbose else "; -v lists them"))
    out.append(total_line(result, dry_run))
    return out


def as_json(result: BuildResult, dry_run: bool, warnings: Sequence[SourceWarning]) -> str:
    """The whole report as one JSON document."""
    summary = result.summary
    paths = {doc_id: path for path, doc_id, _ in summary.documents}
    data: dict[str, Any] = {
        "output": str(result.output),
        "written": not dry_run,
        "notes": summary.note_count,
        "tombstones": summary.tombstones,
        "totals": {s: summary.total().get(s, 0) for s in STATES},
        "guides": [{"path": path, "doc_id": doc_id, "notes": dict(counts), "changes": summary.changes.get(doc_id, {})}
                   for path, doc_id, counts in summary.documents],
        "gone": [{"doc_id": doc_id, "removed": changes.get("removed", 0)}
                 for doc_id, changes in sorted(summary.changes.items()) if doc_id not in paths],
        "messages": list(summary.messages),
        "events": [{"state": state, "doc": doc, "what": what} for state, doc, what in summary.events],
        "warnings": [{"path": w.path, "line": w.line, "message": w.message, "kind": w.kind or "other"}
                     for w in warnings],
        "warning_kinds": dict(kinds(warnings).most_common()),
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _changed(result: BuildResult) -> list[tuple[str, str]]:
    """(guide, what changed) for each guide with a note added, updated, reworded, moved or removed."""
    paths = {doc_id: path for path, doc_id, _ in result.summary.documents}
    out = []
    for doc_id, changes in result.summary.changes.items():
        if any(n for state, n in changes.items() if state != "unchanged"):
            out.append((paths.get(doc_id, f"{doc_id} (gone)"), _changes(changes, skip=("unchanged",))))
    return sorted(out)


def _changes(changes: dict[str, int], skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{changes[s]} {s}" for s in STATES if changes.get(s) and s not in skip) or "no notes"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
