"""One build of a project, step by step, for whatever writes the site (MkDocs today).

``Build`` loads the stories and the curators' decisions, makes every picture (from the cache or
by worker processes), decides what is published, writes the curator report and, once the site
is written, checks it. It holds what a running build needs — a scratch folder, the cache's lock,
the workers — until ``close``; every step raises ``AnonymizeError`` naming the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from anonymize import __version__
from anonymize.cache import Cache, Overlay, held
from anonymize.check import MANIFEST, SiteFinding, check_site, expectations
from anonymize.cluster import DaskRunner
from anonymize.errors import BuildErrors, InputError
from anonymize.exhibition.curation import Curation, curate
from anonymize.exhibition.pictures import WORKER_MEMORY, Pictures, make_pictures
from anonymize.exhibition.project import Project
from anonymize.exhibition.report import CuratorReport, write_curator_report
from anonymize.fileio import atomic_output, file_sha256, write_synced
from anonymize.image.derive import Derivative
from anonymize.image.onnx import share_cores
from anonymize.progress import Lines, Progress
from anonymize.review import Reviews
from anonymize.stories.model import Exhibition
from anonymize.stories.publish import load_exhibition
from anonymize.workers import Runner, runner


@dataclass(frozen=True)
class BuildOptions:
    """How to build: as of which day, for whom, with what."""

    #: The day consent is judged on (None: today).
    as_of: dt.date | None = None
    #: Every consented story, approved or not, for review only.
    draft: bool = False
    #: Views of the originals in the local report; never in the site.
    with_originals: bool = False
    #: Keep anonymized pictures between builds (False: make all again, keep nothing).
    use_cache: bool = True
    #: Worker processes (None: one per core) and the memory budget in bytes (None: the default).
    jobs: int | None = None
    memory: int | None = None
    #: How the report names the site folder (a build writes to a temporary one first).
    site_label: str = "site"
    #: A Dask scheduler's address that makes the photos (``local``: a cluster of this machine's
    #: cores); None: this machine's worker processes. The site is checked here either way.
    scheduler: str | None = None
    #: A look at another day (``--as-of``): its report goes to ``reports/as-of-DAY/`` and the
    #: cache is only read, so the live exhibition's site, report and cache stay as they are.
    preview: bool = False


def preview_reports(reports_dir: Path, day: dt.date) -> Path:
    """Where a preview's curator report goes: inside the reports folder, never over the live one."""
    return reports_dir / f"as-of-{day.isoformat()}"


class Build:
    """One build of ``project``: each step in order, then ``close`` (or use it as a context)."""

    def __init__(self, project: Project, options: BuildOptions | None = None, progress: Progress | None = None) -> None:
        self.project = project
        self.options = options or BuildOptions()
        self.progress = progress or Lines()
        self.exhibition: Exhibition = load_exhibition(project.stories, self.options.as_of, draft=self.options.draft)
        if self.options.preview:
            self.project = dataclasses.replace(
                project, reports_dir=preview_reports(project.reports_dir, self.exhibition.as_of)
            )
        self.reviews = Reviews.load(project.reviews_file)
        self.pictures: Pictures | None = None
        self.curation: Curation | None = None
        self.report: CuratorReport | None = None
        self._scratch: Path | None = None
        self._runner: Runner | None = None
        self._photo_runner: Runner | None = None  # when photos are made elsewhere (Dask)
        self._checks: Cache | None = None
        self._held = contextlib.ExitStack()

    def make_pictures(self) -> Pictures:
        """Every photo of every cleared story, from the cache or made now; then each story's status.

        The cache keeps only what this build used: a story whose consent ended leaves nothing
        (a preview reads the cache and writes its own pictures elsewhere: the live cache stays)."""
        self.close()
        options = self.options
        self._scratch = Path(tempfile.mkdtemp(prefix="anonymize-build-"))
        # A preview uses a live cache that is there; it never makes one.
        live = options.use_cache and (not options.preview or self.project.cache_dir.is_dir())
        folder = self._held.enter_context(held(self.project.cache_dir if live else self._scratch / "cache"))
        store, self._checks = Cache(folder / "pictures"), Cache(folder / "checks")
        if options.preview and live:
            store = Overlay(self._scratch / "cache" / "pictures", store)
            self._checks = Overlay(self._scratch / "cache" / "checks", self._checks)
        self._runner = runner(options.jobs, options.memory, WORKER_MEMORY, share_cores)
        if options.scheduler is not None:
            self._photo_runner = DaskRunner(options.scheduler, share_cores, options.jobs, options.memory)
        makers = self._photo_runner or self._runner
        self.pictures = make_pictures(
            self.exhibition, store, self.project.images, runner=makers, progress=self.progress
        )
        store.prune()
        self.curation = curate(self.exhibition, self.pictures, self.reviews, self.project.images, draft=options.draft)
        return self.pictures

    def write_report(
        self, pages: Mapping[Path, str] | None = None, picture_uri: Callable[[Derivative], str] | None = None
    ) -> CuratorReport:
        """The curator report; ``pages`` and ``picture_uri`` say where the site puts what it publishes."""
        if self.pictures is None or self.curation is None or self._scratch is None:
            raise InputError(self.project.config_file, "no pictures made yet: the report has nothing to show")
        self.report = write_curator_report(
            self.project,
            self.exhibition,
            self.pictures,
            self.curation,
            scratch=self._scratch,
            pages=pages,
            picture_uri=picture_uri,
            draft=self.options.draft,
            with_originals=self.options.with_originals,
            site_label=self.options.site_label,
            failures=[f.line() for f in self.pictures.failures],
        )
        return self.report

    def failures(self) -> BuildErrors | None:
        """Every photo that could not be made safe, as one error (exit 2 when all were bad input)."""
        failed = self.pictures.failures if self.pictures is not None else ()
        if not failed:
            return None
        bad_input = all(isinstance(f.error, InputError) for f in failed)
        return BuildErrors([f.line() for f in failed], exit_code=2 if bad_input else 1)

    def check(self, site: Path) -> list[SiteFinding]:
        """List every file of the written ``site`` in its manifest, then check it as ``anonymize
        check`` would (pictures searched by the build's workers, unchanged ones remembered)."""
        write_manifest(site)
        expected = expectations(self.project.stories)
        findings = check_site(site, expected, runner=self._runner, verdicts=self._checks, progress=self.progress)
        if self._checks is not None and not findings:
            self._checks.prune()
        return findings

    def close(self) -> None:
        """Stop the workers, let go of the cache and remove the scratch folder."""
        for held_runner in (self._photo_runner, self._runner):
            if held_runner is not None:
                held_runner.close()
        self._runner = self._photo_runner = None
        self._checks = None
        self._held.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> Build:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def write_manifest(site_dir: Path) -> Path:
    """List every file of the site with its sha256, in ``MANIFEST`` at the site's root."""
    listed = {
        path.relative_to(site_dir).as_posix(): file_sha256(path)
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and not path.is_symlink() and path.name != MANIFEST
    }
    document = {"format": 1, "tool": f"anonymize {__version__}", "files": listed}
    target = site_dir / MANIFEST
    with atomic_output(target) as temporary:
        write_synced(temporary, (json.dumps(document, indent=1, sort_keys=True) + "\n").encode())
    os.chmod(target, 0o644)
    return target
