"""``anonymize check``: verify a built site on its own."""

from __future__ import annotations

from pathlib import Path

import click

from anonymize.check import check_site, expectations
from anonymize.cli.common import CONFIG_FILE, fail
from anonymize.errors import AnonymizeError, SiteFindings, display_path, shown
from anonymize.image.onnx import share_cores
from anonymize.progress import progress_for
from anonymize.site.project import project_config
from anonymize.site.settings import project_of
from anonymize.workers import runner


@click.command("check")
@click.argument("site_dir", required=False, type=click.Path(path_type=Path, file_okay=False))
@CONFIG_FILE
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None, help="Pictures searched at once (default: one per core)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress; only the findings and the verdict.")
def check_command(site_dir: Path | None, config_file: Path, jobs: int | None, quiet: bool) -> None:
    """Check a built site (default: the project's) without trusting the build that made it.

    Every file must be the one listed in the build's manifest; every picture free of metadata
    and faces; no copy or file name of an original; nothing loaded from another host; no
    withheld term anywhere, the search index included. One line per finding, exit 1 on any.
    Nothing is taken from earlier checks or builds: every picture is decoded and searched.

    \b
    Example:
      anonymize check
      anonymize check site      # or any copy of it, such as the deployed one
    """
    try:
        config, plugin = project_config(config_file)
        site = site_dir if site_dir is not None else Path(config.site_dir)
        expected = expectations(project_of(plugin.config, config_file).stories)
        with runner(jobs, setup=share_cores) as workers:
            findings = check_site(site, expected, runner=workers, progress=progress_for(quiet))
    except AnonymizeError as err:
        fail(err)
    if findings:
        fail(SiteFindings([finding.line() for finding in findings]))
    click.echo(f"{display_path(shown(site))}: every file as built, nothing found")
