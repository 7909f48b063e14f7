"""Curators' decisions, bound to a fingerprint of exactly what they saw.

A story is approved (or rejected) as it stood in the report the curator read: its original
photos, the redactions, the redacted text and the settings (``anonymize.fingerprint``). A change
a curator could see voids the decision, and says which part changed; a change of how the same
result was made (a library upgrade that redacts alike) does not.
Decisions live in ``reviews.yml`` beside ``mkdocs.yml``: a file in the project, written by
``anonymize approve`` and ``anonymize reject``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from anonymize.errors import InputError
from anonymize.fileio import atomic_output, file_sha256, write_synced
from anonymize.fingerprint import Fingerprint
from anonymize.stories.model import UNDECIDED


class State(StrEnum):
    """Where a story stands after a build (a string: the report's JSON and pages show the value)."""

    PUBLISHED = "published"
    NEEDS_REVIEW = "needs review"
    EXCLUDED = "excluded"


APPROVED = "approved"
REJECTED = "rejected"
DECISIONS = (APPROVED, REJECTED)
_HEADER = (
    "# Curators' decisions, written by `anonymize approve` and `anonymize reject`.\n"
    "# Each is bound to a fingerprint of what the curator saw; a change to that voids it.\n"
)


@dataclass(frozen=True)
class Decision:
    """A curator's approval or rejection of one story, and what it was bound to."""

    decision: str
    fingerprint: Fingerprint
    on: dt.date
    by: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"decision": self.decision, "date": self.on}
        data |= {"by": self.by} if self.by else {}
        data |= {"reason": self.reason} if self.reason else {}
        return data | {"fingerprint": self.fingerprint.digest} | self.fingerprint.to_dict(with_digest=False)

    def describe(self) -> str:
        by = f" by {self.by}" if self.by else ""
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.decision}{by} on {self.on}{reason}"


@dataclass(frozen=True)
class Status:
    """Where one story stands: published, needs review or excluded, and why."""

    state: State
    reason: str
    #: What changed since the last decision, when that decision no longer holds.
    changes: tuple[str, ...] = ()


def status(current: Fingerprint, decision: Decision | None) -> Status:
    """A loaded, consented story's status under the curator's last decision (if any)."""
    if decision is None:
        return Status(State.NEEDS_REVIEW, "not reviewed yet")
    changes = tuple(current.changes(decision.fingerprint))
    if changes:
        since = f"{decision.decision} on {decision.on}, since changed: {'; '.join(changes)}"
        return Status(State.NEEDS_REVIEW, since, changes)
    if decision.decision == REJECTED:
        return Status(State.EXCLUDED, decision.describe())
    return Status(State.PUBLISHED, decision.describe())


@dataclass
class Reviews:
    """Every decision of a project, by story (the story's file name without ``.md``)."""

    path: Path
    decisions: dict[str, Decision] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Reviews:
        """Read ``path``; a missing file means nothing was reviewed yet."""
        if not path.exists():
            return cls(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
            raise InputError(path, f"cannot read the curators' decisions: {_first_line(err)}") from None
        if data is None:
            return cls(path)
        if not isinstance(data, dict):
            raise InputError(path, "expected a mapping of story names to decisions")
        reviews = cls(path)
        for story, entry in data.items():
            reviews.decisions[str(story)] = _decision(path, str(story), entry)
        return reviews

    def get(self, story: str) -> Decision | None:
        return self.decisions.get(story)

    def record(self, story: str, decision: Decision) -> None:
        """Set ``story``'s decision and write the file (atomically, the others unchanged)."""
        self.decisions[story] = decision
        data = {name: self.decisions[name].to_dict() for name in sorted(self.decisions)}
        text = _HEADER + yaml.dump(_leaves_inline(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        with atomic_output(self.path) as temporary:
            write_synced(temporary, text.encode())


class _Dumper(yaml.SafeDumper):
    """Writes tuples on one line: a box reads as [x0, y0, x1, y1], a setting as [a, b]."""


_Dumper.add_representer(
    tuple, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)
)


def _leaves_inline(value: object) -> object:
    """``value`` with every list of plain values made a tuple (written on one line)."""
    if isinstance(value, dict):
        return {key: _leaves_inline(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in value):
            return tuple(value)
        return [_leaves_inline(item) for item in value]
    return value


def _decision(path: Path, story: str, entry: object) -> Decision:
    def problem(name: str, message: str) -> InputError:
        return InputError(path, f"{story}.{name}: {message}")

    if not isinstance(entry, dict):
        raise problem("decision", "expected a mapping with decision, date, fingerprint and parts")
    kind = entry.get("decision")
    if kind not in DECISIONS:
        raise problem("decision", f"expected one of {', '.join(DECISIONS)}, got {kind!r}")
    on = entry.get("date")
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise problem("date", f"expected a date (YYYY-MM-DD), got {on!r}")
    try:
        print_ = Fingerprint.from_dict(entry)
    except ValueError as err:
        name, _, message = str(err).partition(": ")
        raise problem(name, message) from None
    if entry.get("fingerprint") != print_.digest:
        raise problem("fingerprint", "does not match its parts: the file was edited by hand")
    for name in ("by", "reason"):
        if entry.get(name) is not None and not isinstance(entry.get(name), str):
            raise problem(name, "expected text")
    if kind == REJECTED and not entry.get("reason"):
        raise problem("reason", "a rejection needs a reason")
    return Decision(kind, print_, on, entry.get("by"), entry.get("reason"))


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def record_decision(
    root: Path,
    report_file: Path,
    reviews: Reviews,
    story: str,
    decision: str,
    on: dt.date,
    by: str | None = None,
    reason: str | None = None,
) -> Decision:
    """Record a decision on ``story`` as the report in ``report_file`` shows it.

    ``root`` is the project's folder (where mkdocs.yml is), which the report's file names are
    relative to.
    Refuses when the report is missing or older than the files it was made from: a curator
    decides on what they saw, and only a current report shows what would be published.
    """
    try:
        document = json.loads(report_file.read_text(encoding="utf-8"))
        entries = {entry["story"]: entry for entry in document["stories"]}
    except FileNotFoundError:
        raise InputError(report_file, "no report yet: run `anonymize review` first, then read it") from None
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(report_file, f"cannot read the report ({_first_line(err)}): run `anonymize review`") from None
    if story not in entries:
        known = ", ".join(sorted(entries)) or "none"
        raise InputError(report_file, f"no story {story!r} in the report (stories: {known})")
    entry = entries[story]
    if not entry.get("fingerprint"):
        raise InputError(Path(entry["file"]), f"{entry['reason']}: there is nothing to {decision[:-1]}")
    for name, digest in (entry.get("inputs") or {}).items():
        path = root / name
        if not path.is_file() or file_sha256(path) != digest:
            raise InputError(
                path, "changed since the report was made: run `anonymize review` and read the report again"
            )
    undecided = [n for n in entry.get("names") or [] if isinstance(n, dict) and n.get("decision") == UNDECIDED]
    if decision == APPROVED and undecided:
        words = ", ".join(repr(n.get("word")) for n in undecided)
        raise InputError(
            Path(entry["file"]),
            f"looks like names nobody listed ({words}): add each to 'redact' or 'allow' before approving",
        )
    fingerprint = entry["fingerprint"]
    try:
        recorded = Decision(decision, Fingerprint.from_dict(fingerprint), on, by, reason)
    except ValueError as err:
        raise InputError(report_file, f"{story}.fingerprint.{err}: run `anonymize review`") from None
    if recorded.fingerprint.digest != fingerprint["digest"]:
        raise InputError(report_file, f"{story}: the fingerprint does not match its parts: run `anonymize review`")
    reviews.record(story, recorded)
    return recorded
