"""Build a project's exhibition into its site folder, all or nothing.

MkDocs empties ``site_dir`` and writes into it as it goes; a failure half-way would leave half a
site. Here the build goes to a fresh folder beside it, and only a build that finished replaces
the old site, in two renames.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.exceptions import Abort, ConfigurationError, PluginError

from anonymize.errors import BuildErrors, InputError, display_path, shown
from anonymize.exhibition.build import BuildOptions
from anonymize.exhibition.pictures import Pictures
from anonymize.exhibition.project import Project
from anonymize.progress import Progress
from anonymize.report.model import ReportStory
from anonymize.site.pages import StoryPage
from anonymize.site.project import mkdocs_messages, named, project_config
from anonymize.stories.model import Exhibition

# MkDocs 1.6 prints a banner about MkDocs 2.0 (with a link) on every run unless this is set.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass(frozen=True)
class BuildResult:
    """What a finished build published, and where; what its report says of every story."""

    site_dir: Path
    project: Project
    exhibition: Exhibition
    pictures: Pictures
    pages: tuple[StoryPage, ...]
    report_page: Path
    report_stories: tuple[ReportStory, ...]


def draft_dir(site_dir: Path) -> Path:
    """Where a draft of a site goes by default: beside it, never in it (``site`` → ``site-draft``)."""
    return site_dir.with_name(f"{site_dir.name}-draft")


def preview_dir(site_dir: Path, day: dt.date) -> Path:
    """Where a look at another day goes by default: beside the site (``site`` → ``site-as-of-2027-01-01``)."""
    return site_dir.with_name(f"{site_dir.name}-as-of-{day.isoformat()}")


def build_site(
    config_file: Path,
    as_of: dt.date | None = None,
    site_dir: Path | None = None,
    *,
    draft: bool = False,
    preview: bool = False,
    with_originals: bool = False,
    use_cache: bool = True,
    jobs: int | None = None,
    memory: int | None = None,
    progress: Progress | None = None,
    scheduler: str | None = None,
) -> BuildResult:
    """Build the exhibition of ``config_file`` into ``site_dir`` (default: the project's).

    Only approved stories are published; a ``draft`` publishes every consented story, marked
    DRAFT, into ``site_dir`` (default: the project's site folder + ``-draft``). A ``preview``
    (consent judged on another day, ``as_of``) never touches the live exhibition: it goes to
    ``site_dir`` (default: the site folder + ``-as-of-DAY``; the live site folder is refused),
    its report to ``reports/as-of-DAY/``, and the cache is only read. Every build
    writes the curator report (``with_originals``: views of the originals in it too) and
    checks the finished site. Pictures come from the project's cache when it holds them
    (``use_cache``); the others are made by ``jobs`` worker processes (default: one per core)
    within ``memory`` bytes (default: ``workers.default_memory()``), or on the Dask ``scheduler``
    (an address, or ``local``; ``anonymize.cluster``); ``progress`` shows it all
    (default: plain lines on standard error). Raises ``InputErrors``/``BuildErrors`` (everything that failed)
    or ``InputError``; the previous site is then left as it was.
    """
    config, plugin = project_config(config_file)
    live = Path(config.site_dir)
    target = Path(site_dir) if site_dir is not None else live
    if draft and site_dir is None:
        target = draft_dir(target)
    if preview:
        if as_of is None:
            raise InputError(config_file, "a preview needs the day to judge consent on (--as-of)")
        if site_dir is None:
            target = preview_dir(target, as_of)
        if target.resolve() == live.resolve():
            raise InputError(
                target, "a look at another day (--as-of) never replaces the live site; choose another folder (-d)"
            )
    if target.resolve() in (config_file.parent.resolve(), Path(config.docs_dir).resolve()):
        raise InputError(target, "the site folder would replace the project or its docs; choose another")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _fresh_folder(target) as fresh:
        config.site_dir = str(fresh)
        config.strict = True  # a warning (a broken link, a missing page) stops the build: fail closed
        plugin.options = BuildOptions(
            as_of, draft, with_originals, use_cache, jobs, memory, display_path(shown(target)), scheduler, preview
        )
        if progress is not None:
            plugin.progress = progress
        with mkdocs_messages() as messages:
            try:
                build(config)
            except (PluginError, Abort, ConfigurationError) as err:
                if plugin.failure is not None:
                    raise plugin.failure from None
                # MkDocs logged each reason and sums them up in ``err`` ("Aborted with …"): the
                # reasons are what to print. Warnings under --strict (a broken link) are the
                # docs' problems, bad input; anything else stopped MkDocs itself or a plugin.
                strict = isinstance(err, Abort) and "in strict mode" in str(err)
                lines = [named(message, Path(config.docs_dir)) for message in messages] or [str(err).strip()]
                raise BuildErrors(lines, exit_code=2 if strict else 1) from None
        done = plugin.built()  # before the old site is replaced
        _replace(target, fresh)
    assert done.pictures is not None and done.report is not None
    return BuildResult(
        target, done.project, done.exhibition, done.pictures, tuple(plugin.pages), done.report.page, done.report.stories
    )


@contextlib.contextmanager
def _fresh_folder(target: Path) -> Iterator[Path]:
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.anonymize-", dir=target.parent))
    try:
        yield fresh
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def _replace(target: Path, fresh: Path) -> None:
    """Put ``fresh`` where ``target`` is, keeping the old one until the new one is in place."""
    os.chmod(fresh, 0o755)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / target.name)
    os.replace(fresh, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
