"""The curator report as data: one JSON document, the source of truth the HTML is rendered from.

It is local, for curators only: it names the withheld terms, the original files and what was
found in them. Pictures in it are the redacted previews; originals only when asked for.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonymize import __version__
from anonymize.errors import display_path
from anonymize.fileio import file_sha256
from anonymize.fingerprint import Fingerprint
from anonymize.review import Decision, State, Status
from anonymize.stories.model import Exclusion, PublishablePhoto, PublishableStory

#: Bump when a reader of report.json would misread the new shape.
FORMAT = 1


@dataclass(frozen=True)
class ReportPhoto:
    """One photo of a story in the report: what was done to it and where its preview is."""

    photo: PublishablePhoto
    #: What was found and done, as ``ImageReport.to_dict`` wrote it.
    image: Mapping[str, Any] | None
    #: The preview's file name inside the report's ``pictures/`` folder.
    preview: str | None = None
    preview_size: tuple[int, int] | None = None
    #: The published sizes, as site paths (empty when the story is not published).
    published: tuple[str, ...] = ()
    original: str | None = None  # inside ``originals/``, only when the curator asked for them
    error: str | None = None  # why no picture could be made


@dataclass(frozen=True)
class ReportStory:
    """One story file in the report, whatever became of it."""

    slug: str
    path: Path
    status: Status
    story: PublishableStory | None = None  # None when consent (or nothing left) excludes it all
    photos: tuple[ReportPhoto, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    fingerprint: Fingerprint | None = None
    decision: Decision | None = None
    page: str | None = None  # its page in the site, when built
    inputs: Mapping[str, str] | None = None  # file → sha256 of what the report was made from


def story_inputs(story: PublishableStory, config_file: Path, known: Mapping[Path, str]) -> dict[str, str]:
    """Every file a story's report entry was made from, relative to the project, with its hash.

    ``known`` holds hashes already taken (the pipeline's, of the originals it read); the other
    files are read here. ``anonymize approve`` hashes them again: a decision is only taken on a
    current report.
    """
    root = config_file.parent.resolve()
    files = [config_file, story.path, *(photo.source for photo in story.photos)]
    return {
        Path(os.path.relpath(path.resolve(), root)).as_posix(): known.get(path) or file_sha256(path) for path in files
    }


def report_document(
    stories: Sequence[ReportStory],
    *,
    as_of: dt.date,
    draft: bool,
    config_file: Path,
    reviews_file: Path,
    site_dir: str,
    settings: Mapping[str, object],
    failures: Sequence[str] = (),
) -> dict[str, object]:
    """The report of one build: every story file, its status and everything behind it."""
    counts: dict[str, int] = {}
    for entry in stories:
        counts[entry.status.state] = counts.get(entry.status.state, 0) + 1
    return {
        "format": FORMAT,
        "tool": {"name": "anonymize", "version": __version__},
        "as_of": as_of.isoformat(),
        "draft": draft,
        "config": display_path(config_file),
        "reviews": display_path(reviews_file),
        "site": site_dir,
        "settings": dict(settings),
        "counts": counts,
        "failures": list(failures),
        "stories": [_story(entry) for entry in stories],
    }


def _story(entry: ReportStory) -> dict[str, object]:
    story = entry.story
    data: dict[str, object] = {
        "story": entry.slug,
        "file": display_path(entry.path),
        "status": entry.status.state,
        "reason": entry.status.reason,
        "changes": list(entry.status.changes),
        "page": entry.page,
        "decision": None if entry.decision is None else _decision(entry.decision),
        "fingerprint": None if entry.fingerprint is None else entry.fingerprint.to_dict(),
        "inputs": None if entry.inputs is None else dict(entry.inputs),
        "excluded": [{"part": e.part, "reason": e.reason} for e in entry.exclusions],
    }
    if story is None:
        return data
    consent = story.consent
    return data | {
        "pseudonym": story.pseudonym,
        "title": story.title,
        "excerpt": story.excerpt,
        "language": story.language,
        "consent": {
            "portrait": consent.portrait,
            "testimony": consent.testimony,
            "given": consent.given.isoformat(),
            "expires": None if consent.expires is None else consent.expires.isoformat(),
            "withdrawn": None if consent.withdrawn is None else consent.withdrawn.isoformat(),
        },
        "content_warnings": list(story.content_warnings),
        "withheld": [
            {"term": term, "count": count, "forms": list(story.withheld_forms.get(term, ()))}
            for term, count in sorted(story.withheld.items(), key=lambda item: (-item[1], item[0]))
        ],
        "findings": [{"field": f.field, "kind": f.kind, "text": f.text} for f in story.findings],
        "names": [{"field": n.field, "word": n.word, "kind": n.kind, "decision": n.decision} for n in story.names],
        "testimony_html": story.testimony_html,
        "photos": [_photo(photo) for photo in entry.photos],
    }


def _decision(decision: Decision) -> dict[str, object]:
    return {
        "decision": decision.decision,
        "on": decision.on.isoformat(),
        "by": decision.by,
        "reason": decision.reason,
        "fingerprint": decision.fingerprint.digest,
    }


def _photo(entry: ReportPhoto) -> dict[str, object]:
    photo = entry.photo
    return {
        "file": photo.file,
        "alt": photo.alt,
        "caption": photo.caption,
        "content_warnings": list(photo.content_warnings),
        "preview": None if entry.preview is None else f"pictures/{entry.preview}",
        "preview_size": None if entry.preview_size is None else list(entry.preview_size),
        "original": None if entry.original is None else f"originals/{entry.original}",
        "published": list(entry.published),
        "error": entry.error,
        "image": entry.image,
    }


def excluded_story(exclusion: Exclusion) -> ReportStory:
    """A story left out as a whole (consent, nothing left to publish)."""
    return ReportStory(
        exclusion.slug, exclusion.path, Status(State.EXCLUDED, exclusion.reason), exclusions=(exclusion,)
    )
