"""A publishable exhibition as values: the stories, photos and exclusions the gate let through."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from anonymize.config import Background
from anonymize.image.plan import KeepRequest, RegionRequest
from anonymize.image.regions import Polygon
from anonymize.stories.schema import Consent


@dataclass(frozen=True)
class PublishablePhoto:
    """A portrait cleared for publication, with its redacted text and manual regions."""

    source: Path  # the original: read, never written
    #: As the story names it, relative to the photos folder. Never published: file names are
    #: often people's names; published pictures are named after their content.
    file: str
    alt: str
    caption: str | None
    regions: tuple[RegionRequest, ...]
    #: Shown before the picture, which is then only shown on request.
    content_warnings: tuple[str, ...] = ()
    #: What is behind the people kept or blurred; None: the project's setting.
    background: Background | None = None
    #: Polygons round the people, drawn in the story, instead of the person model's mask.
    subject: tuple[Polygon, ...] = ()
    #: Detected regions the story says are not a face or not text: left as photographed.
    keep: tuple[KeepRequest, ...] = ()


@dataclass(frozen=True)
class AllowedContact:
    """A contact detail found in a story and published because its author allowed it."""

    field: str  # where: "testimony, line 12, column 4", "title, column 3"
    kind: str
    text: str


#: The decision of a likely name nobody listed yet (in a draft; a build for publishing stops on it).
UNDECIDED = "undecided: add it to 'redact' to withhold it or to 'allow' to publish it"


@dataclass(frozen=True)
class NameDecision:
    """A word that looked like a name, and what its author decided: withheld or published."""

    field: str  # where: "testimony, line 12, column 4"
    word: str  # as written: for the local curator report only
    kind: str  # "a first name", "a place", "a name"
    decision: str  # "withheld (redact item 1 of stories/amir.md)", "published as written (allow)"


@dataclass(frozen=True)
class PublishableStory:
    """What of one story may be published, its text already redacted.

    ``title``, ``alt`` and captions are plain text: a page shows them escaped, never rendered as
    Markdown or HTML (only the testimony is rendered, and checked as rendered).
    """

    #: The file name without ``.md``, how curators name the story. Never published (it may be
    #: a real name); pages are named after the pseudonym.
    slug: str
    path: Path
    pseudonym: str
    title: str | None
    language: str
    testimony: str | None  # Markdown; None without consent to publish it
    photos: tuple[PublishablePhoto, ...]
    content_warnings: tuple[str, ...]
    consent: Consent
    #: The testimony as rendered and checked (``render_testimony``): what a page shows.
    testimony_html: str | None = None
    excerpt: str | None = None
    #: How many times each listed term was withheld. It names the people: for the local
    #: curator report only, never for anything published.
    withheld: Mapping[str, int] = field(default_factory=dict)
    #: The forms each term was found in ("Аргуне" for "Аргун"), for the same report.
    withheld_forms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Contact details the author allowed, published as written: for the curator to confirm.
    findings: tuple[AllowedContact, ...] = ()
    #: Every likely name found in the story's text and what was decided for it (curator report).
    names: tuple[NameDecision, ...] = ()

    @property
    def undecided(self) -> int:
        """How many likely names nobody listed yet (only a draft holds any)."""
        return sum(name.decision == UNDECIDED for name in self.names)


@dataclass(frozen=True)
class Exclusion:
    """Something a story holds that is not published, and why."""

    slug: str
    path: Path
    part: str  # "story", "testimony" or "photo FILE"
    reason: str


@dataclass(frozen=True)
class Exhibition:
    """The publishable stories as of a date, and everything left out."""

    as_of: dt.date
    stories: tuple[PublishableStory, ...]
    exclusions: tuple[Exclusion, ...]
