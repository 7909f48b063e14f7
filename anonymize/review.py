"""Curators' decisions, bound to a fingerprint of exactly what they saw.

A story is approved (or rejected) as it stood in the report the curator read: its original
photos, the redaction decisions, the redacted text and the settings. Each of these is hashed as
a named part; a change to any part voids the decision, and the parts that changed say why.
Decisions live in ``reviews.yml`` beside ``mkdocs.yml``: a file in the project, written by
``anonymize approve`` and ``anonymize reject``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from anonymize.errors import InputError
from anonymize.fileio import atomic_output, file_sha256, write_synced
from anonymize.image.pipeline import DETECTED
from anonymize.stories.publish import PublishableStory

PUBLISHED = "published"
NEEDS_REVIEW = "needs review"
EXCLUDED = "excluded"
APPROVED = "approved"
REJECTED = "rejected"
DECISIONS = (APPROVED, REJECTED)
_HEADER = (
    "# Curators' decisions, written by `anonymize approve` and `anonymize reject`.\n"
    "# Each is bound to a fingerprint of what the curator saw; any change voids it.\n"
)


def _digest(value: object) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What a curator saw of one story, as named parts (each a hash) and one digest of them all."""

    parts: Mapping[str, str]

    @property
    def digest(self) -> str:
        return _digest(dict(self.parts))

    def changes(self, before: Fingerprint) -> list[str]:
        """What differs from ``before``, one phrase per part: "photo a.jpg changed"."""
        now, then = self.parts, before.parts
        changed = [f"{name} changed" for name in now if name in then and now[name] != then[name]]
        changed += [f"{name} added" for name in now if name not in then]
        changed += [f"{name} removed" for name in then if name not in now]
        return changed

    def to_dict(self) -> dict[str, object]:
        return {"digest": self.digest, "parts": dict(self.parts)}


def fingerprint(
    story: PublishableStory, images: Sequence[Mapping[str, Any]], settings: Mapping[str, object]
) -> Fingerprint:
    """The fingerprint of a story as it would be published, with each photo's image report (as
    ``ImageReport.to_dict`` writes it: what the curator sees is what the approval binds to).

    Manual regions count exactly. Regions a detector found count by how many there are and how
    sure the detector was: their boxes follow from the original and the settings (both in the
    fingerprint), and the last pixel of a box may differ between processors.
    """
    parts: dict[str, str] = {}

    def part(name: str, value: object) -> None:
        if value is not None and value != []:
            parts[name] = _digest(value)[:16]

    part("pseudonym", story.pseudonym)
    part("title", story.title)
    part("excerpt", story.excerpt)
    part("language", story.language)
    part("content warnings", list(story.content_warnings))
    part("testimony", story.testimony_html)
    for photo, image in zip(story.photos, images, strict=True):
        name = f"photo {photo.file}"
        part(name, image["input"]["sha256"])
        part(f"{name}: alt text", photo.alt)
        part(f"{name}: caption", photo.caption)
        part(f"{name}: content warnings", list(photo.content_warnings))
        manual = [r for r in image["regions"] if r["reason"] not in DETECTED]
        found = [r["reason"] for r in image["regions"] if r["reason"] in DETECTED]
        redactions: dict[str, object] = {
            "style": image["style"],
            "regions": [[*_shape(r), _bounds(r), r["reason"]] for r in manual],
            "found": {reason: found.count(reason) for reason in sorted(set(found))},
        }
        if image["background"]["treatment"] != "keep":
            # Drawn outlines exactly; the model's mask by what it is made from (the original and the model).
            redactions["background"] = {
                "treatment": "blur",
                "subject": [list(p.points) for p in photo.subject] if photo.subject else "automatic",
            }
        part(f"{name}: redactions", redactions)
    part("settings", dict(settings))
    return Fingerprint(parts)


def _shape(region: Mapping[str, Any]) -> list[object]:
    """A manual region's shape, with its points when it is a polygon (a moved corner changes it)."""
    if "points" in region:
        return [region["shape"], [list(point) for point in region["points"]]]
    return [region["shape"]]


def _bounds(region: Mapping[str, Any]) -> list[int]:
    """The pixels a region covers, as (x0, y0, x1, y1)."""
    x, y, width, height = region["box"]
    return [x, y, x + width, y + height]


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
        return data | {"fingerprint": self.fingerprint.digest, "parts": dict(self.fingerprint.parts)}

    def describe(self) -> str:
        by = f" by {self.by}" if self.by else ""
        reason = f": {self.reason}" if self.reason else ""
        return f"{self.decision}{by} on {self.on}{reason}"


@dataclass(frozen=True)
class Status:
    """Where one story stands: published, needs review or excluded, and why."""

    state: str
    reason: str
    #: What changed since the last decision, when that decision no longer holds.
    changes: tuple[str, ...] = ()


def status(current: Fingerprint, decision: Decision | None) -> Status:
    """A loaded, consented story's status under the curator's last decision (if any)."""
    if decision is None:
        return Status(NEEDS_REVIEW, "not reviewed yet")
    if decision.fingerprint.digest != current.digest:
        changes = tuple(current.changes(decision.fingerprint)) or ("the fingerprint changed",)
        since = f"{decision.decision} on {decision.on}, since changed: {'; '.join(changes)}"
        return Status(NEEDS_REVIEW, since, changes)
    if decision.decision == REJECTED:
        return Status(EXCLUDED, decision.describe())
    return Status(PUBLISHED, decision.describe())


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
        text = _HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        with atomic_output(self.path) as temporary:
            write_synced(temporary, text.encode())


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
    parts = entry.get("parts")
    if not isinstance(parts, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in parts.items()):
        raise problem("parts", "expected a mapping of part names to hashes")
    print_ = Fingerprint(parts)
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


def decide(
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
    fingerprint = entry["fingerprint"]
    recorded = Decision(decision, Fingerprint(fingerprint["parts"]), on, by, reason)
    if recorded.fingerprint.digest != fingerprint["digest"]:
        raise InputError(report_file, f"{story}: the fingerprint does not match its parts: run `anonymize review`")
    reviews.record(story, recorded)
    return recorded
