"""The curator report of a build: every story file, its status, what was found and done, and why."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from anonymize.config import ImageSettings
from anonymize.exhibition.curation import Curation
from anonymize.exhibition.pictures import Picture, Pictures
from anonymize.exhibition.project import Project
from anonymize.image.derive import DEFAULT_WIDTHS, Derivative
from anonymize.image.detect.faces import DETECTORS
from anonymize.image.detect.text import TextDetector
from anonymize.image.segment import DEFAULT_SEGMENTER, SEGMENTERS
from anonymize.report.model import ReportPhoto, ReportStory, excluded_story, report_document, story_inputs
from anonymize.report.write import original_view, write_report
from anonymize.stories.model import Exhibition

#: Widest picture the curator report shows (the published sizes go up to 2400).
REPORT_WIDTH = 1600


@dataclass(frozen=True)
class CuratorReport:
    """The report a build wrote: its page, and every story file as it shows them."""

    page: Path
    stories: tuple[ReportStory, ...]


def report_settings(settings: ImageSettings) -> dict[str, object]:
    """How pictures are made and redacted, with the models that ran, for the report's reader.

    Approvals bind to fewer: the settings a user controls (``fingerprint.approval_settings``)."""
    faces = settings.faces
    return {
        "style": settings.style.value,
        "max_pixels": settings.max_pixels,
        "matte": list(settings.matte),
        "background": settings.background.value,
        "person_model": SEGMENTERS[DEFAULT_SEGMENTER].describe(),
        "text": {
            "searched": settings.text.enabled,
            "min_text": settings.text.min_text,
            "model": TextDetector.describe()["model"],
        },
        "faces": {
            "detectors": [{"name": name, "model": DETECTORS[name].describe()["model"]} for name in faces.detectors],
            "min_face": faces.min_face,
            "all_from": faces.all_from,
            "verify": faces.verify.value,
        },
        "widths": list(DEFAULT_WIDTHS),
    }


def write_curator_report(
    project: Project,
    exhibition: Exhibition,
    pictures: Pictures,
    curation: Curation,
    *,
    scratch: Path,
    pages: Mapping[Path, str] | None = None,
    picture_uri: Callable[[Derivative], str] | None = None,
    draft: bool = False,
    with_originals: bool = False,
    site_label: str = "site",
    failures: Sequence[str] = (),
) -> CuratorReport:
    """Write the report of ``curation`` into the project's reports folder.

    ``pages`` maps a published story's file to its page in the site and ``picture_uri`` says
    where a web size is published (both from the site being built; without them the report names
    no page). Views of the originals (``with_originals``) are made in ``scratch``.
    """
    pages = pages or {}
    previews: dict[str, Path] = {}
    originals: dict[str, Path] = {}
    # The originals were hashed as the pipeline read them; the report records those hashes.
    hashes = {p.photo.source: p.report.sha256 for p in pictures.made.values()}
    stories = []
    for entry in curation.entries:
        story = entry.story
        assert story is not None
        page = pages.get(story.path)
        photos = []
        for index, photo in enumerate(story.photos):
            picture = pictures.made.get((story.path, index))
            if picture is None:
                error = next((f.error.reason for f in pictures.failures if f.photo is photo), None)
                photos.append(ReportPhoto(photo, None, error=error))
                continue
            preview = _preview(picture)
            previews[preview.path.name] = preview.path
            original = None
            if with_originals:
                original = scratch / "originals" / preview.path.name
                original.parent.mkdir(parents=True, exist_ok=True)
                original_view(photo.source, (preview.width, preview.height), original, project.images)
                originals[original.name] = original
            published: tuple[str, ...] = ()
            if page is not None and picture_uri is not None:
                published = tuple(picture_uri(size) for size in picture.sizes)
            photos.append(
                ReportPhoto(
                    photo,
                    picture.report.document,
                    preview.path.name,
                    (preview.width, preview.height),
                    published,
                    None if original is None else original.name,
                )
            )
        stories.append(
            dataclasses.replace(
                entry,
                photos=tuple(photos),
                exclusions=tuple(e for e in exhibition.exclusions if e.path == story.path),
                page=page,
                inputs=story_inputs(story, project.config_file, hashes),
            )
        )
    published_paths = {story.path for story in exhibition.stories}
    stories += [excluded_story(e) for e in exhibition.exclusions if e.part == "story" and e.path not in published_paths]
    stories.sort(key=lambda entry: entry.slug)
    document = report_document(
        stories,
        as_of=exhibition.as_of,
        draft=draft,
        config_file=project.config_file,
        reviews_file=project.reviews_file,
        site_dir=site_label,
        settings=report_settings(project.images),
        failures=failures,
    )
    return CuratorReport(write_report(project.reports_dir, document, previews, originals), tuple(stories))


def _preview(picture: Picture) -> Derivative:
    """The size the report shows: the largest up to ``REPORT_WIDTH`` pixels wide."""
    fitting = [size for size in picture.sizes if size.width <= REPORT_WIDTH]
    return fitting[-1] if fitting else picture.sizes[0]
