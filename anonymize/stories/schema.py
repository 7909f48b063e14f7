"""The typed front matter of a story, and the checks that turn parsed YAML into it.

Every problem is collected, not raised, so one run reports all of them; each names its field the
way the author wrote it (``photos[0].alt``, ``consent.given``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from anonymize.config import BACKGROUNDS, Background
from anonymize.errors import printable
from anonymize.image.regions import SHAPES, Polygon, Region
from anonymize.stories.text import term_problem

#: A BCP 47 language tag, loosely: a primary language and optional subtags (en, ru, ce, pt-BR).
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class Consent:
    """What the person agreed to, and when."""

    portrait: bool
    testimony: bool
    given: dt.date
    expires: dt.date | None = None
    withdrawn: dt.date | None = None


@dataclass(frozen=True)
class RegionEntry:
    """A manual redaction of a photo, in pixels of the upright picture, and why."""

    region: Region
    reason: str


@dataclass(frozen=True)
class KeepEntry:
    """A detected region the author says is not a face or not text, by its box in the report."""

    box: tuple[int, int, int, int]  # x, y, width, height
    reason: str


@dataclass(frozen=True)
class PhotoEntry:
    """One portrait of a story, as written in its front matter."""

    file: str  # relative to the photos folder
    alt: str
    caption: str | None = None
    regions: tuple[RegionEntry, ...] = ()
    #: What this picture shows that a visitor may not want to see; it is then shown on request.
    content_warnings: tuple[str, ...] = ()
    #: What is behind the people kept or blurred (default: the project's setting).
    background: Background | None = None
    #: Where the people are, drawn by hand, instead of the person model's mask.
    subject: tuple[Polygon, ...] = ()
    #: Detected regions left as photographed: not a face, not text, in the author's words.
    keep: tuple[KeepEntry, ...] = ()


@dataclass(frozen=True)
class FrontMatter:
    """Everything above the testimony."""

    pseudonym: str
    consent: Consent
    title: str | None = None
    #: A line or two for the gallery card, instead of the testimony's first paragraph.
    excerpt: str | None = None
    language: str | None = None
    photos: tuple[PhotoEntry, ...] = ()
    content_warnings: tuple[str, ...] = ()
    redact: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()


# Field name → required? (in the order the README documents them)
STORY_FIELDS = {
    "pseudonym": True,
    "title": False,
    "excerpt": False,
    "language": False,
    "photos": False,
    "consent": True,
    "content_warnings": False,
    "redact": False,
    "allow": False,
}
PHOTO_FIELDS = {
    "file": True,
    "alt": True,
    "caption": False,
    "content_warnings": False,
    "regions": False,
    "background": False,
    "subject": False,
    "keep": False,
}
CONSENT_FIELDS = {"portrait": True, "testimony": True, "given": True, "expires": False, "withdrawn": False}
REGION_FIELDS = {**dict.fromkeys(SHAPES, False), "reason": True}
KEEP_FIELDS = {"box": True, "reason": True}


def describe(value: object) -> str:
    """How a YAML value reads in a message: ``'yesterday'``, ``true``, ``a list``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(printable(value, limit=60))
    if isinstance(value, int | float | dt.date):
        return str(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class Fields:
    """Reads typed values out of parsed YAML and records one problem per bad field."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []  # (field, message)

    def problem(self, field: str, message: str) -> None:
        self.problems.append((field, message))

    def mapping(self, value: object, field: str, known: Mapping[str, bool]) -> Mapping[str, object] | None:
        """A mapping with only ``known`` keys and every required one."""
        if not isinstance(value, dict):
            self.problem(field, f"expected a mapping of {', '.join(known)}, got {describe(value)}")
            return None
        prefix = f"{field}." if field else ""
        for key in value:
            if key not in known:
                hint = difflib.get_close_matches(str(key), list(known), n=1)
                also = f" (did you mean '{hint[0]}'?)" if hint else f" (known: {', '.join(known)})"
                self.problem(f"{prefix}{printable(str(key), limit=60)}", f"unknown field{also}")
        for key, required in known.items():
            if required and key not in value:
                self.problem(f"{prefix}{key}", "missing (required)")
        return value

    def text(self, value: object, field: str) -> str | None:
        """A non-empty string; numbers and yes/no are refused (YAML would have changed them)."""
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, str):
            self.problem(field, "is empty")
        elif isinstance(value, bool | int | float | dt.date):
            self.problem(field, f"expected text, got {describe(value)} (put it in quotes)")
        else:
            self.problem(field, f"expected text, got {describe(value)}")
        return None

    def boolean(self, value: object, field: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(field, f"expected true or false, got {describe(value)}")
        return None

    def date(self, value: object, field: str) -> dt.date | None:
        """A calendar date; a quoted ISO date is accepted, a date with a time keeps the date."""
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(field, f"expected a date (YYYY-MM-DD), got {describe(value)}")
        return None

    def items(self, value: object, field: str) -> list[object]:
        """A list (a single value is not silently taken for one)."""
        if isinstance(value, list):
            return value
        self.problem(field, f"expected a list, got {describe(value)}")
        return []

    def texts(self, value: object, field: str) -> tuple[str, ...]:
        found = (self.text(item, f"{field}[{i}]") for i, item in enumerate(self.items(value, field)))
        return tuple(item for item in found if item is not None)

    def terms(self, value: object, field: str) -> tuple[str, ...]:
        """Redact terms: texts long enough to withhold safely."""
        terms = []
        for i, item in enumerate(self.items(value, field)):
            term = self.text(item, f"{field}[{i}]")
            if term is None:
                continue
            problem = term_problem(term)
            if problem:
                self.problem(f"{field}[{i}]", problem)
            else:
                terms.append(term)
        return tuple(terms)


def read_consent(fields: Fields, value: object) -> Consent | None:
    """The ``consent`` block, or None (with problems recorded) when it is not usable."""
    data = fields.mapping(value, "consent", CONSENT_FIELDS)
    if data is None:
        return None
    before = len(fields.problems)
    portrait = fields.boolean(data.get("portrait"), "consent.portrait") if "portrait" in data else None
    testimony = fields.boolean(data.get("testimony"), "consent.testimony") if "testimony" in data else None
    given = fields.date(data.get("given"), "consent.given") if "given" in data else None
    expires = fields.date(data["expires"], "consent.expires") if data.get("expires") is not None else None
    withdrawn = fields.date(data["withdrawn"], "consent.withdrawn") if data.get("withdrawn") is not None else None
    if given is not None and expires is not None and expires <= given:
        fields.problem("consent.expires", f"{expires} is not after consent.given ({given})")
    if len(fields.problems) > before or portrait is None or testimony is None or given is None:
        return None
    return Consent(portrait, testimony, given, expires, withdrawn)


def read_front_matter(fields: Fields, data: Mapping[str, object], consent: Consent) -> FrontMatter | None:
    """The whole front matter (``data`` already checked to be a mapping of known fields)."""
    before = len(fields.problems)
    pseudonym = fields.text(data.get("pseudonym"), "pseudonym") if "pseudonym" in data else None
    title = fields.text(data["title"], "title") if "title" in data else None
    excerpt = fields.text(data["excerpt"], "excerpt") if "excerpt" in data else None
    language = None
    if "language" in data:
        language = fields.text(data["language"], "language")
        if language is not None and not _LANGUAGE.fullmatch(language):
            fields.problem("language", f"expected a language code such as en, ru or pt-BR, got {describe(language)}")
    photos = tuple(
        photo
        for i, item in enumerate(fields.items(data["photos"], "photos") if "photos" in data else [])
        if (photo := _photo(fields, item, f"photos[{i}]")) is not None
    )
    warnings = fields.texts(data["content_warnings"], "content_warnings") if "content_warnings" in data else ()
    redact = fields.terms(data["redact"], "redact") if "redact" in data else ()
    allow = fields.texts(data["allow"], "allow") if "allow" in data else ()
    if len(fields.problems) > before or pseudonym is None:
        return None
    return FrontMatter(pseudonym, consent, title, excerpt, language, photos, warnings, redact, allow)


def _photo(fields: Fields, value: object, field: str) -> PhotoEntry | None:
    data = fields.mapping(value, field, PHOTO_FIELDS)
    if data is None:
        return None
    before = len(fields.problems)
    file = fields.text(data.get("file"), f"{field}.file") if "file" in data else None
    alt = fields.text(data.get("alt"), f"{field}.alt") if "alt" in data else None
    caption = fields.text(data["caption"], f"{field}.caption") if "caption" in data else None
    warnings = fields.texts(data["content_warnings"], f"{field}.content_warnings") if "content_warnings" in data else ()
    regions = tuple(
        region
        for i, item in enumerate(fields.items(data["regions"], f"{field}.regions") if "regions" in data else [])
        if (region := _region(fields, item, f"{field}.regions[{i}]")) is not None
    )
    background = None
    if "background" in data:
        written = fields.text(data["background"], f"{field}.background")
        if written is not None and written not in BACKGROUNDS:
            fields.problem(f"{field}.background", f"expected one of {', '.join(BACKGROUNDS)}, got {describe(written)}")
        elif written is not None:
            background = Background(written)
    subject = _subject(fields, data["subject"], f"{field}.subject") if "subject" in data else ()
    keep = tuple(
        entry
        for i, item in enumerate(fields.items(data["keep"], f"{field}.keep") if "keep" in data else [])
        if (entry := _keep(fields, item, f"{field}.keep[{i}]")) is not None
    )
    if subject and background is Background.KEEP:
        fields.problem(f"{field}.subject", "the people are outlined to blur what is behind them; background is keep")
    elif subject:
        background = Background.BLUR  # outlining the people asks for the background to be treated
    if len(fields.problems) > before or file is None or alt is None:
        return None
    return PhotoEntry(file, alt, caption, regions, warnings, background, subject, keep)


def _keep(fields: Fields, value: object, field: str) -> KeepEntry | None:
    data = fields.mapping(value, field, KEEP_FIELDS)
    if data is None:
        return None
    box = data.get("box")
    reason = fields.text(data.get("reason"), f"{field}.reason") if "reason" in data else None
    if "box" in data and not (
        isinstance(box, list)
        and len(box) == 4
        and all(isinstance(n, int) and not isinstance(n, bool) for n in box)
        and box[2] > 0
        and box[3] > 0
    ):
        fields.problem(
            f"{field}.box", f"expected [x, y, width, height] as the report shows the region, got {describe(box)}"
        )
        return None
    if not isinstance(box, list) or reason is None:
        return None
    return KeepEntry((box[0], box[1], box[2], box[3]), reason)


def _subject(fields: Fields, value: object, field: str) -> tuple[Polygon, ...]:
    """One polygon ``[[x, y], ...]`` or a list of them, one per person."""
    if isinstance(value, list) and value and all(isinstance(p, list) and p and isinstance(p[0], list) for p in value):
        found = [polygon_points(fields, item, f"{field}[{i}]") for i, item in enumerate(value)]
        return tuple(p for p in found if p is not None)
    polygon = polygon_points(fields, value, field)
    return (polygon,) if polygon is not None else ()


def _region(fields: Fields, value: object, field: str) -> RegionEntry | None:
    data = fields.mapping(value, field, REGION_FIELDS)
    if data is None:
        return None
    shapes = [shape for shape in SHAPES if shape in data]
    if len(shapes) != 1:
        fields.problem(field, f"expected exactly one of {', '.join(SHAPES)}, got {len(shapes)}")
        return None
    shape = shapes[0]
    numbers = data[shape]
    reason = fields.text(data.get("reason"), f"{field}.reason") if "reason" in data else None
    if shape == Polygon.shape:
        polygon = polygon_points(fields, numbers, f"{field}.{shape}")
        return RegionEntry(polygon, reason) if polygon is not None and reason is not None else None
    if (
        not isinstance(numbers, list)
        or len(numbers) != 4
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers)
    ):
        fields.problem(f"{field}.{shape}", f"expected [x, y, width, height] in whole pixels, got {describe(numbers)}")
        return None
    try:
        region = SHAPES[shape](*numbers)
    except ValueError as err:
        fields.problem(f"{field}.{shape}", str(err))
        return None
    return RegionEntry(region, reason) if reason is not None else None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def polygon_points(fields: Fields, value: object, field: str) -> Polygon | None:
    """``[[x, y], [x, y], [x, y], ...]`` in pixels of the upright picture, as a polygon."""
    if not (
        isinstance(value, list)
        and len(value) >= 3
        and all(isinstance(p, list) and len(p) == 2 and all(_number(v) for v in p) for p in value)
    ):
        fields.problem(field, f"expected a list of at least three [x, y] points in pixels, got {describe(value)}")
        return None
    try:
        return Polygon.through(value)
    except ValueError as err:
        fields.problem(field, str(err))
        return None
