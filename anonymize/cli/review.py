"""``anonymize review``, ``approve`` and ``reject``: the curator's side of publishing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from anonymize.cli.build import AS_OF, WITH_ORIGINALS
from anonymize.cli.common import CONFIG_FILE, fail
from anonymize.errors import AnonymizeError, InputError, display_path, shown
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

    \b
    Example:
      anonymize review            # then open reports/index.html and site-draft/
      anonymize approve amir --by "A. Curator"
    """
    try:
        result = build_site(config_file, as_of.date() if as_of else None, draft=True, with_originals=with_originals)
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


def _record(config_file: Path, story: str, decision: str, by: str | None, reason: str | None) -> None:
    try:
        project = load_project(config_file)
        reviews = Reviews.load(project.reviews_file)
        report = project.reports_dir / REPORT_JSON
        recorded = record_decision(project.root, report, reviews, story, decision, dt.date.today(), by, reason)
    except AnonymizeError as err:
        fail(err)
    click.echo(
        f"{decision} {story} (fingerprint {recorded.fingerprint.digest[:16]}) in {display_path(reviews.path)}; "
        "a change to what the report shows (its photos, redactions, text or settings) voids it"
    )


BY = click.option("--by", metavar="NAME", help="Who decides (recorded in reviews.yml, never published).")


@click.command("approve")
@click.argument("story")
@BY
@CONFIG_FILE
def approve_command(story: str, by: str | None, config_file: Path) -> None:
    """Approve STORY (its file name without .md) for publication, as the last report shows it.

    \b
    Example:
      anonymize approve amir --by "A. Curator"
    """
    _record(config_file, story, APPROVED, by, None)
    click.echo("run `anonymize build` to publish it")


@click.command("reject")
@click.argument("story")
@click.option("--reason", required=True, help="Why, for the artist: what must change.")
@BY
@CONFIG_FILE
def reject_command(story: str, reason: str, by: str | None, config_file: Path) -> None:
    """Keep STORY (its file name without .md) out of the exhibition, saying why.

    A changed story waits for review again.

    \b
    Example:
      anonymize reject amir --reason "the bridge is recognisable; cover it"
    """
    if not reason.strip():
        fail(InputError(None, "--reason: say why the story is rejected"))
    _record(config_file, story, REJECTED, by, reason.strip())
