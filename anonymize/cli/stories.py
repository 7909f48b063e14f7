"""``anonymize stories``: check every story and show what would be published, as of a day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from anonymize.cli.common import CONFIG_FILE, as_of_option, fail
from anonymize.errors import AnonymizeError, display_path
from anonymize.site.project import load_project
from anonymize.stories.model import Exhibition
from anonymize.stories.publish import load_exhibition


def summary_lines(exhibition: Exhibition) -> list[str]:
    """One line per published story and per thing left out, with the reason."""
    lines = []
    for story in exhibition.stories:
        parts = []
        if story.testimony is not None:
            parts.append("testimony")
        if story.photos:
            parts.append(f"{len(story.photos)} photo{'s' if len(story.photos) != 1 else ''}")
        withheld = sum(story.withheld.values())
        if withheld:
            parts.append(f"{withheld} term{'s' if withheld != 1 else ''} withheld")
        if story.consent.expires is not None:
            parts.append(f"consent expires {story.consent.expires}")
        lines.append(f"published  {story.slug}: {', '.join(parts)}")
    return lines + exclusion_lines(exhibition)


def exclusion_lines(exhibition: Exhibition) -> list[str]:
    """One line per thing left out, with the reason."""
    return [f"excluded   {e.slug}: {e.part}: {e.reason}" for e in exhibition.exclusions]


def exhibition_dict(exhibition: Exhibition) -> dict[str, object]:
    """The summary as JSON: published stories and exclusions, never the testimony itself."""
    return {
        "as_of": exhibition.as_of.isoformat(),
        "published": [
            {
                "story": story.slug,
                "file": display_path(story.path),
                "pseudonym": story.pseudonym,
                "language": story.language,
                "testimony": story.testimony is not None,
                "photos": [
                    {"file": photo.file, "regions": [r.region.describe() for r in photo.regions]}
                    for photo in story.photos
                ],
                "content_warnings": list(story.content_warnings),
                "consent": {
                    "given": story.consent.given.isoformat(),
                    "expires": story.consent.expires.isoformat() if story.consent.expires else None,
                },
                "withheld": dict(story.withheld),
            }
            for story in exhibition.stories
        ],
        "excluded": [
            {"story": e.slug, "file": display_path(e.path), "part": e.part, "reason": e.reason}
            for e in exhibition.exclusions
        ],
    }


@click.command("stories")
@CONFIG_FILE
@as_of_option("Evaluate consent on this day (YYYY-MM-DD) instead of today, to plan ahead.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print what would be published and left out as JSON (it names the withheld terms).",
)
def stories_command(config_file: Path, as_of: dt.datetime | None, as_json: bool) -> None:
    """Check every story and list what would be published and what not, and why.

    Every problem of every story is reported, one line each naming file and field; the exit
    status is then 2. Contact details (e-mail addresses, phone numbers, profile and messenger
    links, @handles) are problems until the story lists them under redact or allow.

    \b
    Example:
      anonymize stories --as-of 2027-06-01
    """
    try:
        settings = load_project(config_file).stories
        exhibition = load_exhibition(settings, as_of.date() if as_of else None)
    except AnonymizeError as err:
        fail(err)
    if as_json:
        click.echo(json.dumps(exhibition_dict(exhibition), indent=2, ensure_ascii=False))
        return
    count = len(exhibition.stories)
    click.echo(f"as of {exhibition.as_of}: {count} {'story' if count == 1 else 'stories'} to publish")
    for line in summary_lines(exhibition):
        click.echo(line)
