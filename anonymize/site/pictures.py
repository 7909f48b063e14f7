"""Every cleared photo of an exhibition, anonymized into web sizes in a staging folder.

Each photo goes through the image pipeline (load → find → decide → redact → encode → verify)
into a full-size file that is never published, then into the web sizes made from that verified
file. A photo that fails is reported with the story that lists it; every photo is tried, so one
run names every failure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from anonymize.config import ImageSettings
from anonymize.errors import AnonymizeError, display_path
from anonymize.image.derive import DEFAULT_WIDTHS, Derivative, derive
from anonymize.image.pipeline import ImageReport, anonymize_image
from anonymize.stories.publish import Exhibition, PublishablePhoto, PublishableStory


@dataclass(frozen=True)
class Picture:
    """One photo ready to publish: its web sizes, smallest first, and what was done to it."""

    photo: PublishablePhoto
    sizes: tuple[Derivative, ...]
    report: ImageReport

    @property
    def largest(self) -> Derivative:
        return self.sizes[-1]


@dataclass(frozen=True)
class PictureFailure:
    """A photo that could not be made publishable, and why."""

    story: PublishableStory
    photo: PublishablePhoto
    error: AnonymizeError

    def line(self) -> str:
        return f"{display_path(self.story.path)}: photo {self.photo.file}: {self.error.reason}"


@dataclass(frozen=True)
class Pictures:
    """The outcome for every photo: pictures by (story path, photo index), and failures."""

    made: dict[tuple[Path, int], Picture]
    failures: tuple[PictureFailure, ...]

    def of(self, story: PublishableStory) -> list[Picture]:
        return [self.made[(story.path, i)] for i in range(len(story.photos)) if (story.path, i) in self.made]


def make_pictures(
    exhibition: Exhibition, staging: Path, settings: ImageSettings, widths: Sequence[int] = DEFAULT_WIDTHS
) -> Pictures:
    """Anonymize every photo of every published story into ``staging``."""
    full_size = staging / "full"  # verified, never published: the web sizes are made from it
    web = staging / "web"
    made: dict[tuple[Path, int], Picture] = {}
    failures = []
    for story in exhibition.stories:
        for index, photo in enumerate(story.photos):
            # Named after where it comes from, only inside the staging folder, never published.
            key = hashlib.sha256(f"{story.path}\0{index}".encode()).hexdigest()[:16]
            try:
                own = replace(settings, background=photo.background) if photo.background else settings
                report = anonymize_image(photo.source, full_size / f"{key}.jpg", photo.regions, own, photo.subject)
                sizes = derive(full_size / f"{key}.jpg", web, widths)
            except AnonymizeError as err:
                failures.append(PictureFailure(story, photo, err))
                continue
            made[(story.path, index)] = Picture(photo, sizes, report)
    return Pictures(made, tuple(failures))
