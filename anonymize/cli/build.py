"""``anonymize build`` and ``anonymize serve``: the exhibition site of a project."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import click

from anonymize.cli.common import CONFIG_FILE, as_of_option, fail
from anonymize.cli.stories import exclusion_lines
from anonymize.errors import AnonymizeError, display_path, shown
from anonymize.progress import progress_for
from anonymize.review import State
from anonymize.site.build import BuildResult, build_site
from anonymize.site.pages import STORIES

AS_OF = as_of_option(
    "Judge consent on this day (YYYY-MM-DD) instead of today, to plan ahead. Another day's build is a "
    "preview: it goes to site-as-of-DAY/ (its report to reports/as-of-DAY/) and never touches the live site."
)


def preview_day(as_of: dt.datetime | None) -> tuple[dt.date | None, bool]:
    """The day ``--as-of`` names, and whether it makes the build a preview (any day but today)."""
    if as_of is None:
        return None, False
    return as_of.date(), as_of.date() != dt.date.today()


WITH_ORIGINALS = click.option(
    "--with-originals",
    is_flag=True,
    help="Show each original, unredacted, beside its redaction in the local report (never in the site).",
)


UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def memory_size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """A number of bytes, written as 2GB, 1500MB or 2.5G (decimal units)."""
    if value is None:
        return None
    text = value.strip().upper().removesuffix("B").strip()
    unit = text[-1:] if text[-1:] in UNITS else ""
    try:
        size = int(float(text[: len(text) - len(unit)]) * UNITS[unit])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a size such as 2GB or 1500MB") from None
    if size < 100 * 10**6:
        raise click.BadParameter(f"{value!r} is too little to anonymize a photo in; give at least 100MB")
    return size


def build_summary(result: BuildResult) -> list[str]:
    """What was published and what was left out, one line each."""
    exhibition = result.exhibition
    lines = []
    for page in result.pages:
        story = page.story
        parts = [f"page {page.url}"]
        if page.pictures:
            count = len(page.pictures)
            sizes = sum(len(p.sizes) for p in page.pictures)
            parts.append(f"{count} picture{'s' if count != 1 else ''} ({sizes} sizes)")
        if story.testimony is not None:
            parts.append("testimony")
        lines.append(f"published  {story.slug}: {', '.join(parts)}")
    published = {page.story.path for page in result.pages}
    for entry in result.report_stories:
        if entry.story is None or entry.path in published:
            continue
        label = "waiting" if entry.status.state == State.NEEDS_REVIEW else entry.status.state
        lines.append(f"{label:<10} {entry.slug}: {entry.status.reason}")
    return lines + exclusion_lines(exhibition)


@click.command("build")
@CONFIG_FILE
@AS_OF
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to write the site (default: the project's site_dir, usually site/).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Build every consented story, approved or not, marked DRAFT, into a separate folder "
    "(default: site-draft/), for review only.",
)
@WITH_ORIGINALS
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Photos anonymized at once, each by its own process (default: one per core).",
)
@click.option(
    "--memory",
    callback=memory_size,
    metavar="SIZE",
    default=None,
    help="Memory the build may use, e.g. 4GB (default: 1 GB per core, at most half the machine's); "
    "large photos then wait for each other rather than run side by side.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Make the photos on the Dask cluster at ADDRESS, e.g. tcp://10.0.0.5:8786, or on a local one "
    "(local); needs pip install 'anonymize[dask]'. The site is checked on this machine.",
)
@click.option("--no-cache", is_flag=True, help="Anonymize every photo again, ignoring (and not keeping) earlier work.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors: no progress, no summary.")
def build_command(
    config_file: Path,
    as_of: dt.datetime | None,
    site_dir: Path | None,
    draft: bool,
    with_originals: bool,
    jobs: int | None,
    memory: int | None,
    scheduler: str | None,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Build the exhibition: stories checked, photos anonymized and verified, pages written.

    Only stories a curator approved (``anonymize approve``) are published. Every build writes
    the curator report to reports/ and ends by checking the site as ``anonymize check`` does.
    The site is replaced only by a build that finished: on any failure the previous site stays
    as it was, every reason is printed (one line each, naming the file) and the exit status is
    non-zero (2 for bad input, 1 for a picture or site that could not be proven clean).

    Anonymized pictures are kept in the project's cache (.anonymize-cache/, never committed or
    published): a rebuild makes only the photos whose original, regions or settings changed.
    Progress shows as a bar on a terminal and as plain lines otherwise.

    \b
    Example:
      anonymize build
      anonymize build --draft        # everything, marked DRAFT, into site-draft/
      anonymize build --as-of 2027-01-01   # a preview, into site-as-of-2027-01-01/
    """
    day, preview = preview_day(as_of)
    try:
        result = build_site(
            config_file,
            day,
            site_dir,
            draft=draft,
            preview=preview,
            with_originals=with_originals,
            use_cache=not no_cache,
            jobs=jobs,
            memory=memory,
            progress=progress_for(quiet),
            scheduler=scheduler,
        )
    except AnonymizeError as err:
        fail(err)
    if quiet:
        return
    count = len(result.pages)
    kind = ("DRAFT, for review only: " if draft else "") + ("PREVIEW, not the live site: " if preview else "")
    click.echo(
        f"as of {result.exhibition.as_of}: {kind}{count} {'story' if count == 1 else 'stories'} published "
        f"to {display_path(shown(result.site_dir))}/ (gallery: {STORIES}/), checked; "
        f"report: {display_path(shown(result.report_page))}"
    )
    for line in build_summary(result):
        click.echo(line)


@click.command("serve")
@CONFIG_FILE
@click.option(
    "-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to preview on (this machine only)."
)
def serve_command(config_file: Path, dev_addr: str) -> None:
    """Preview the exhibition on this machine, rebuilt whenever a story, photo or page changes.

    The preview is built as ``anonymize build`` builds (consent, approvals, every picture
    anonymized and verified) into a temporary folder, with two differences, because it never
    leaves this machine: the finished site is not checked again as ``anonymize check`` does,
    and its pages let inline scripts run (the reload script the server injects), where a built
    site runs only the scripts its Content-Security-Policy names by hash. Publish what
    ``anonymize build`` writes, never what this serves.

    \b
    Example:
      anonymize serve        # then open http://127.0.0.1:8000/
    """
    from mkdocs.commands.serve import serve  # imported here: it pulls in the web server

    from anonymize.site.project import project_config

    try:
        plugin = project_config(config_file)[1]
    except AnonymizeError as err:
        fail(err)
    handler = logging.StreamHandler()  # MkDocs' own command sets this up; the address is in its log
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    root = config_file.parent
    plugin_dirs = [plugin.config.stories, plugin.config.photos]
    watch = [str(root / folder) for folder in plugin_dirs if (root / folder).is_dir()]
    serve(str(config_file), dev_addr=dev_addr, strict=True, watch=watch, open_in_browser=False)
