"""What a curator saw of one story: the fingerprint an approval is bound to.

A fingerprint holds what a curator can see, never how it was made: no library or model version
is in it, so an upgrade that redacts the same way leaves approvals standing, and one that
redacts differently voids them and says where ("photo amir/bridge.jpg: 1 face more").

It has three kinds of part:

- exact parts, each a hash: the published text, the originals, regions drawn by hand, detected
  regions a person kept as photographed (``keep:``) and outlines of people drawn in the story.
  Any change to one is a change;
- the settings a user controls, as readable values (``min_text 12 → 8``), compared exactly;
- per photo, its style and background treatment (readable, exact) and what the detectors
  found, by what it covers: each region's bounds, and the outline of the people a blurred
  background keeps sharp. These are compared within a tolerance, because the last pixel of a
  detection may differ between processors and library releases; a region that appears,
  disappears, moves or grows by more than that is a change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from anonymize.config import Background, ImageSettings
from anonymize.fileio import json_sha256
from anonymize.image.photo_report import Box, PhotoReport, ReportedRegion
from anonymize.image.reasons import DETECTED, FACE, POSSIBLE_FACE, POSSIBLE_TEXT, TEXT
from anonymize.image.regions import edge_distance, edge_tolerance
from anonymize.stories.model import PublishableStory

#: The people a blurred background keeps sharp are the same when the areas their outlines cover,
#: on a grid of ``PEOPLE_GRID`` cells along the picture's longer side, overlap this much
#: (intersection over union).
PEOPLE_GRID = 256
PEOPLE_SAME = 0.97
#: What a detected region is called in a change, by its reason: one, many.
NOUNS = {
    FACE: ("face", "faces"),
    POSSIBLE_FACE: ("possible face", "possible faces"),
    TEXT: ("line of text", "lines of text"),
    POSSIBLE_TEXT: ("possible line of text", "possible lines of text"),
}
#: The one change of a decision recorded before fingerprints left out library versions.
EARLIER_RELEASE = "recorded by an earlier release of anonymize, whose fingerprint held library versions"

Point = tuple[int, int]
Setting = str | int | bool | None | tuple[int, ...] | tuple[str, ...]


def approval_settings(settings: ImageSettings) -> dict[str, Setting]:
    """The settings a user controls that change what a curator sees, by name."""
    faces = settings.faces
    return {
        "style": settings.style.value,  # plain words: reviews.yml is written by a safe dumper
        "background": settings.background.value,
        "max_pixels": settings.max_pixels,
        "matte": tuple(settings.matte),
        "text": settings.text.enabled,
        "min_text": settings.text.min_text,
        "face_detectors": tuple(faces.detectors),
        "min_face": faces.min_face,
        "all_from": faces.all_from,
        "verify": faces.verify.value,
    }


@dataclass(frozen=True)
class PhotoFacts:
    """One photo as the curator saw it redacted: its treatment, and what the detectors found."""

    style: str
    background: str
    #: The upright picture's width and height, which the tolerance is a share of.
    size: tuple[int, int]
    #: Bounds (x0, y0, x1, y1) of the regions detectors asked for, by reason, sorted.
    found: Mapping[str, tuple[Box, ...]] = field(default_factory=dict)
    #: Outlines of the people the person model kept sharp (a blurred background, no drawn outline).
    people: tuple[tuple[Point, ...], ...] = ()

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "style": self.style,
            "background": self.background,
            "size": list(self.size),
            "found": {reason: [list(box) for box in boxes] for reason, boxes in self.found.items()},
        }
        if self.people:
            # One line of "x,y" pairs per outline: a few lines in reviews.yml, not hundreds.
            data["people"] = [" ".join(f"{x},{y}" for x, y in outline) for outline in self.people]
        return data

    @classmethod
    def from_dict(cls, data: object) -> PhotoFacts:
        """Parse what ``to_dict`` wrote; ValueError naming the field when it is not that."""
        if not isinstance(data, dict):
            raise ValueError("expected a mapping with style, background, size and found")
        style, background, size, found = (data.get(name) for name in ("style", "background", "size", "found"))
        if not isinstance(style, str) or not isinstance(background, str):
            raise ValueError("style and background: expected text")
        if not (isinstance(size, list) and len(size) == 2 and all(_is_int(v) for v in size)):
            raise ValueError("size: expected [width, height]")
        if not isinstance(found, dict):
            raise ValueError("found: expected a mapping of reasons to boxes")
        boxes: dict[str, tuple[Box, ...]] = {}
        for reason, listed in found.items():
            if not (isinstance(listed, list) and all(_is_box(b) for b in listed)):
                raise ValueError(f"found.{reason}: expected a list of [x0, y0, x1, y1]")
            boxes[str(reason)] = tuple((b[0], b[1], b[2], b[3]) for b in listed)
        people = data.get("people", [])
        if not (isinstance(people, list) and all(isinstance(line, str) for line in people)):
            raise ValueError("people: expected lines of x,y pairs")
        try:
            outlines = tuple(_points(line) for line in people)
        except ValueError:
            raise ValueError("people: expected lines of x,y pairs") from None
        return cls(style, background, (size[0], size[1]), boxes, outlines)

    def changes(self, before: PhotoFacts) -> list[str]:
        """What a curator would see differ from ``before``: "1 face more", "style solid → blur"."""
        changed = [
            f"{name} {_shown(then)} → {_shown(now)}"
            for name, now, then in (
                ("style", self.style, before.style),
                ("background", self.background, before.background),
            )
            if now != then
        ]
        tolerance = edge_tolerance(self.size)
        for reason in sorted(set(self.found) | set(before.found), key=_reason_order):
            gained, lost = _unmatched(self.found.get(reason, ()), before.found.get(reason, ()), tolerance)
            one, many = NOUNS.get(reason, (reason, reason))
            for count, phrase in (
                (gained - lost, "more"),
                (lost - gained, "fewer"),
                (min(gained, lost), "moved or resized"),
            ):
                if count > 0:
                    changed.append(f"{count} {one if count == 1 else many} {phrase}")
        if _overlap(self.people, before.people, self.size) < PEOPLE_SAME:
            changed.append("the people kept sharp changed")
        return changed


@dataclass(frozen=True)
class Fingerprint:
    """What a curator saw of one story: exact parts (hashes), settings and photos' facts."""

    parts: Mapping[str, str]
    settings: Mapping[str, Setting] = field(default_factory=dict)
    #: By photo file, as the story names it.
    photos: Mapping[str, PhotoFacts] = field(default_factory=dict)
    #: Read from a decision an earlier release recorded: its parts hashed library versions too.
    earlier: bool = False

    @property
    def digest(self) -> str:
        if self.earlier:
            return json_sha256(dict(self.parts))
        return json_sha256(self.to_dict(with_digest=False))

    def changes(self, before: Fingerprint) -> list[str]:
        """Each difference from ``before`` a curator would see, naming the part: "testimony
        changed", "settings changed: min_text 12 → 8", "photo a.jpg: 1 face more". None: the same."""
        if before.earlier:
            return [] if self.earlier and self.parts == before.parts else [EARLIER_RELEASE]
        now, then = self.parts, before.parts
        changed = [f"{name} changed" for name in now if name in then and now[name] != then[name]]
        changed += [f"{name} added" for name in now if name not in then]
        changed += [f"{name} removed" for name in then if name not in now]
        for name in [*self.settings, *(n for n in before.settings if n not in self.settings)]:
            old, new = before.settings.get(name), self.settings.get(name)
            if old != new:
                changed.append(f"settings changed: {name} {_shown(old)} → {_shown(new)}")
        for file, facts in self.photos.items():
            if file in before.photos:
                changed += [f"photo {file}: {change}" for change in facts.changes(before.photos[file])]
        return changed

    def to_dict(self, *, with_digest: bool = True) -> dict[str, object]:
        data: dict[str, object] = {"digest": self.digest} if with_digest else {}
        if self.earlier:
            return data | {"parts": dict(self.parts)}
        return data | {
            "parts": dict(self.parts),
            "settings": {name: list(v) if isinstance(v, tuple) else v for name, v in self.settings.items()},
            "photos": {file: facts.to_dict() for file, facts in self.photos.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Fingerprint:
        """Parse what ``to_dict`` wrote (or a decision of an earlier release: parts only).

        Raises ValueError naming the field when the shape is wrong."""
        parts = data.get("parts")
        if not isinstance(parts, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in parts.items()):
            raise ValueError("parts: expected a mapping of part names to hashes")
        if "settings" not in data and "photos" not in data:
            return cls(parts, earlier=True)
        settings, photos = data.get("settings"), data.get("photos")
        if not isinstance(settings, dict) or not all(_is_setting(v) for v in settings.values()):
            raise ValueError("settings: expected a mapping of setting names to values")
        if not isinstance(photos, dict):
            raise ValueError("photos: expected a mapping of photo files to what was found")
        facts = {}
        for file, entry in photos.items():
            try:
                facts[str(file)] = PhotoFacts.from_dict(entry)
            except ValueError as err:
                raise ValueError(f"photos.{file}: {err}") from None
        values = {str(k): tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
        return cls(parts, values, facts)


def fingerprint(story: PublishableStory, images: Sequence[PhotoReport], settings: Mapping[str, Setting]) -> Fingerprint:
    """The fingerprint of a story as it would be published, from each photo's image report (what
    the curator sees is what the approval binds to) and the ``approval_settings`` it was made with."""
    parts: dict[str, str] = {}

    def part(name: str, value: object) -> None:
        if value is not None and value != []:
            parts[name] = json_sha256(value)[:16]

    part("pseudonym", story.pseudonym)
    part("title", story.title)
    part("excerpt", story.excerpt)
    part("language", story.language)
    part("content warnings", list(story.content_warnings))
    part("testimony", story.testimony_html)
    photos: dict[str, PhotoFacts] = {}
    for photo, image in zip(story.photos, images, strict=True):
        name = f"photo {photo.file}"
        part(name, image.sha256)
        part(f"{name}: alt text", photo.alt)
        part(f"{name}: caption", photo.caption)
        part(f"{name}: content warnings", list(photo.content_warnings))
        drawn = [r for r in image.regions if not r.detected]
        part(f"{name}: regions drawn", [[*_shape(r), list(r.bounds), r.reason] for r in drawn])
        part(f"{name}: regions kept", [[list(k.box), k.reason] for k in image.kept])
        background = image.background
        blurred = background.treatment is not Background.KEEP
        if blurred and photo.subject:
            part(f"{name}: people drawn", [list(p.points) for p in photo.subject])
        found: dict[str, list[Box]] = {}
        for region in image.regions:
            if region.detected:
                found.setdefault(region.reason, []).append(region.bounds)
        people = background.outlines if blurred and not photo.subject else ()
        photos[photo.file] = PhotoFacts(
            image.style.value,  # plain words: reviews.yml is written by a safe dumper
            background.treatment.value,
            image.size,
            {reason: tuple(sorted(found[reason])) for reason in sorted(found, key=_reason_order)},
            people,
        )
    return Fingerprint(parts, dict(settings), photos)


def _shape(region: ReportedRegion) -> list[object]:
    """A manual region's shape, with its points when it is a polygon (a moved corner changes it)."""
    if region.points is not None:
        return [region.shape, [list(point) for point in region.points]]
    return [region.shape]


def _reason_order(reason: str) -> tuple[int, str]:
    return (DETECTED.index(reason) if reason in DETECTED else len(DETECTED), reason)


def _unmatched(now: Sequence[Box], then: Sequence[Box], tolerance: float) -> tuple[int, int]:
    """How many of ``now`` match none of ``then`` and the other way round, each region matched
    at most once, to the closest in the same place (``edge_distance``)."""
    left = list(then)
    gained = 0
    for box in now:
        near = []
        for i, other in enumerate(left):
            distance = edge_distance(box, other, tolerance)
            if distance is not None:
                near.append((distance, i))
        if near:
            left.pop(min(near)[1])
        else:
            gained += 1
    return gained, len(left)


def _overlap(now: Sequence[Sequence[Point]], then: Sequence[Sequence[Point]], size: tuple[int, int]) -> float:
    """Intersection over union of the areas two sets of outlines cover (1.0 when both are empty)."""
    if not now and not then:
        return 1.0
    scale = PEOPLE_GRID / max(size)
    shape = (max(1, round(size[1] * scale)), max(1, round(size[0] * scale)))

    def covered(outlines: Sequence[Sequence[Point]]) -> np.ndarray:
        mask = np.zeros(shape, np.uint8)
        polygons = [np.round(np.asarray(o, np.float64) * scale).astype(np.int32) for o in outlines if len(o) >= 3]
        if polygons:
            cv2.fillPoly(mask, polygons, 1)
        return mask.astype(bool)

    a, b = covered(now), covered(then)
    union = int((a | b).sum())
    return 1.0 if union == 0 else int((a & b).sum()) / union


def _points(line: str) -> tuple[Point, ...]:
    points = []
    for pair in line.split():
        x, y = pair.split(",")
        points.append((int(x), int(y)))
    return tuple(points)


def _shown(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_box(value: object) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(_is_int(v) for v in value)


def _is_setting(value: object) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, str) or _is_int(v) for v in value)
    return value is None or isinstance(value, str | int | bool)
