"""``anonymize review``, ``approve`` and ``reject``: the curator's side of publishing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from anonymize.cli.build import AS_OF, WITH_ORIGINALS, preview_day
from anonymize.cli.common import CONFIG_FILE, as_of_option, fail
from anonymize.errors import AnonymizeError, InputError, display_path, shown
from anonymize.exhibition.build import preview_reports
from anonymize.report.write import REPORT_JSON
from anonymize.review import APPROVED, REJECTED, Reviews, State, record_decision
from anonymize.site.build import build_site
from anonymize.site.project import load_project


@click.command("review")
@CONFIG_FILE
@AS_OF
@WITH_ORIGINALS
def review_command(config_file: Path, as_of: dt.datetime | None, with_originals: bool) -> None:
    """Write a fresh report and a draft site, and list the stories waiting for a decision.

    With --as-of another day, both are a preview (reports/as-of-DAY/, site-draft-as-of-DAY/)
    and the live report stays; decide from it with ``approve --as-of DAY``.

    \b
    Example:
      anonymize review            # then open reports/index.html and site-draft/
      anonymize approve amir --by "A. Curator"
    """
    day, preview = preview_day(as_of)
    try:
        result = build_site(config_file, day, draft=True, preview=preview, with_originals=with_originals)
    except AnonymizeError as err:
        fail(err)
    entries = result.report_stories
    waiting = [entry for entry in entries if entry.status.state == State.NEEDS_REVIEW]
    click.echo(f"report: {display_path(shown(result.report_page))}; draft: {display_path(shown(result.site_dir))}/")
    if not waiting:
        click.echo("nothing waits for a decision")
    for entry in waiting:
        click.echo(f"waiting    {entry.slug}: {entry.status.reason}")
    for entry in entries:
        if entry.status.state != State.NEEDS_REVIEW:
            click.echo(f"{entry.status.state:<10} {entry.slug}: {entry.status.reason}")


def _record(
    config_file: Path, story: str, decision: str, by: str | None, reason: str | None, as_of: dt.datetime | None
) -> None:
    day, preview = preview_day(as_of)
    try:
        project = load_project(config_file)
        reviews = Reviews.load(project.reviews_file)
        reports = preview_reports(project.reports_dir, day) if preview and day is not None else project.reports_dir
        report = reports / REPORT_JSON
        recorded = record_decision(project.root, report, reviews, story, decision, dt.date.today(), by, reason)
    except AnonymizeError as err:
        fail(err)
    click.echo(
        f"{decision} {story} (fingerprint {recorded.fingerprint.digest[:16]}) in {display_path(reviews.path)}; "
        "a change to what the report shows (its photos, redactions, text or settings) voids it"
    )


BY = click.option("--by", metavar="NAME", help="Who decides (recorded in reviews.yml, never published).")
FROM_PREVIEW = as_of_option("Decide from the report of `anonymize review --as-of DAY` (YYYY-MM-DD) instead.")


@click.command("approve")
@click.argument("story")
@BY
@FROM_PREVIEW
@CONFIG_FILE
def approve_command(story: str, by: str | None, as_of: dt.datetime | None, config_file: Path) -> None:
    """Approve STORY (its file name without .md) for publication, as the last report shows it.

    \b
    Example:
      anonymize approve amir --by "A. Curator"
    """
    _record(config_file, story, APPROVED, by, None, as_of)
    click.echo("run `anonymize build` to publish it")


@click.command("reject")
@click.argument("story")
@click.option("--reason", required=True, help="Why, for the artist: what must change.")
@BY
@FROM_PREVIEW
@CONFIG_FILE
def reject_command(story: str, reason: str, by: str | None, as_of: dt.datetime | None, config_file: Path) -> None:
    """Keep STORY (its file name without .md) out of the exhibition, saying why.

    A changed story waits for review again.

    \b
    Example:
      anonymize reject amir --reason "the bridge is recognisable; cover it"
    """
    if not reason.strip():
        fail(InputError(None, "--reason: say why the story is rejected"))
    _record(config_file, story, REJECTED, by, reason.strip(), as_of)
