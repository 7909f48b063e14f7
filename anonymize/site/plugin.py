"""The ``anonymize`` MkDocs plugin: stories checked, photos anonymized, pages generated, visitors kept private.

Events, in the order MkDocs runs them:

- ``on_config``: refuse settings that would reach another host; load and gate the stories.
- ``on_pre_build``: anonymize every cleared photo into a staging folder. This runs before MkDocs
  empties ``site_dir``, so a photo that fails leaves the last good site as it was.
- ``on_files``: add the pictures, the stylesheet, the gallery and one page per story.
- ``on_page_content``: put the generated pages' HTML in place of what MkDocs rendered of their stubs.
- ``on_post_page`` / ``on_post_template``: the privacy headers in every page, no generator tag,
  no dates in the sitemap.
- ``on_post_build``: robots.txt and no sitemap when search engines are kept out; a deterministic
  sitemap otherwise; the build report; the staging folder removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from anonymize.cache import DEFAULT_FOLDER, Cache, held
from anonymize.check import check_site, expectations, write_manifest
from anonymize.config import BACKGROUNDS, DEFAULT_MIN_TEXT, ImageSettings, StorySettings, TextSettings
from anonymize.errors import AnonymizeError, BuildErrors, InputError, shown
from anonymize.exhibition.curation import curate
from anonymize.exhibition.pictures import WORKER_MEMORY, Pictures, make_pictures
from anonymize.exhibition.project import Project
from anonymize.exhibition.report import write_curator_report
from anonymize.image.onnx import share_cores
from anonymize.image.redact import STYLES
from anonymize.progress import Lines, Progress
from anonymize.report.model import ReportStory
from anonymize.review import Reviews
from anonymize.site import a11y, privacy
from anonymize.site.pages import (
    GALLERY,
    STYLESHEET,
    Renderer,
    StoryPage,
    picture_uri,
    story_pages,
    stylesheet,
    with_draft_banner,
)
from anonymize.stories.publish import Exhibition, load_exhibition
from anonymize.workers import Runner, runner


class AnonymizeConfig(base.Config):
    """The ``anonymize`` section of ``plugins:`` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    #: Folders, relative to mkdocs.yml. Reports are for curators: never inside the site.
    stories = c.Type(str, default="stories")
    photos = c.Type(str, default="photos")
    reports = c.Type(str, default="reports")
    #: Anonymized pictures kept between builds, relative to mkdocs.yml; never committed or published.
    cache = c.Type(str, default=DEFAULT_FOLDER)
    #: The curators' decisions (``anonymize approve``/``reject``), relative to mkdocs.yml.
    reviews = c.Type(str, default="reviews.yml")
    #: Terms every story withholds: names, places, nicknames of the project as a whole.
    redact = c.ListOfItems(c.Type(str), default=[])
    #: How redacted regions are drawn; an opaque fill unless the curator chooses otherwise.
    style = c.Choice(tuple(STYLES), default="solid")
    #: What happens behind the people in every photo that does not say: keep or blur.
    background = c.Choice(BACKGROUNDS, default="keep")
    #: Find and cover scene text (signs, plates, house numbers, screens), down to min_text pixels.
    text = c.Type(bool, default=True)
    min_text = c.Type(int, default=DEFAULT_MIN_TEXT)
    #: Language of the stories that do not name one (BCP 47).
    language = c.Type(str, default="en")
    #: Language of the pages' own words (labels, links); by default the theme's.
    ui_language = c.Optional(c.Type(str))
    #: Ask search engines to stay away (robots meta, robots.txt, no sitemap).
    noindex = c.Type(bool, default=True)


class AnonymizePlugin(BasePlugin[AnonymizeConfig]):
    """Turns the publishable stories into the exhibition's pages and pictures."""

    #: The day consent is evaluated on; ``anonymize build --as-of`` sets it, otherwise today.
    as_of: dt.date | None = None
    exhibition: Exhibition | None = None
    pictures: Pictures | None = None
    pages: list[StoryPage]
    #: Why the last build failed, for ``anonymize build`` (MkDocs only carries the message).
    failure: AnonymizeError | None = None
    #: ``anonymize build --draft``: every consented story, a DRAFT banner, kept from search engines.
    draft: bool = False
    #: Put views of the originals in the local report (``--with-originals``); never in the site.
    with_originals: bool = False
    reviews: Reviews | None = None
    #: The report page the last build wrote.
    report_page: Path | None = None
    #: How the report names the site folder (a build writes to a temporary one first).
    site_label: str = "site"
    #: Every story file of the last build, as the report shows it.
    report_stories: list[ReportStory]
    #: Keep anonymized pictures between builds (``anonymize build --no-cache``: make all again).
    use_cache: bool = True
    #: Worker processes (None: one per core) and the memory budget of a build in bytes (None: the default).
    jobs: int | None = None
    memory: int | None = None
    #: How the build shows what it is doing.
    progress: Progress

    def __init__(self) -> None:
        self.command = "build"
        self.dirty = False
        self.pages = []
        self.report_stories = []
        self._staging: Path | None = None
        self._renderer: Renderer | None = None
        self._generated: dict[str, StoryPage | None] = {}  # src_uri → its story (None: the gallery)
        self._config_file = Path("mkdocs.yml")
        self.progress = Lines()
        self._runner: Runner | None = None
        self._held = contextlib.ExitStack()
        self._checks: Cache | None = None
        self._project: Project | None = None

    def project(self, config_file: Path) -> Project:
        """The project this section describes, folders resolved next to ``config_file``.

        Raises ``InputError`` naming the file when a setting is out of range."""
        root = config_file.parent
        stories = StorySettings(
            stories_dir=root / self.config.stories,
            photos_dir=root / self.config.photos,
            redact=tuple(self.config.redact),
            language=self.config.language,
            config_file=config_file,
        )
        try:
            images = ImageSettings(
                style=self.config.style,
                text=TextSettings(self.config.text, self.config.min_text),
                background=self.config.background,
            )
        except ValueError as err:
            raise InputError(config_file, f"plugins.anonymize: {err}") from None
        return Project(
            config_file,
            stories,
            images,
            reports_dir=root / self.config.reports,
            cache_dir=root / self.config.cache,
            reviews_file=root / self.config.reviews,
        )

    def built(self) -> tuple[Project, Exhibition, Pictures, Path]:
        """What the last build worked on and made: the project, its stories, pictures and report."""
        if self._project is None or self.exhibition is None or self.pictures is None or self.report_page is None:
            raise AnonymizeError(self._config_file, "the anonymize plugin did not run: is it enabled?")
        return self._project, self.exhibition, self.pictures, self.report_page

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # MkDocs reuses a plugin instance when it loads the same configuration again (serve, a
        # second build in one process): nothing of the last build may carry over.
        self.failure = self.exhibition = self.pictures = self.reviews = self.report_page = self._project = None
        self.pages, self._generated, self.report_stories = [], {}, []
        if not self.config.enabled:
            return config
        if self.dirty:
            raise PluginError("--dirty would keep the pages and pictures of stories whose consent has ended")
        problems = privacy.config_problems(
            config.theme.name, config.theme, config.repo_url, config.extra, config.extra_css, config.extra_javascript
        )
        if problems:
            raise PluginError("\n".join(f"{config.config_file_path}: {line}" for line in problems))
        try:
            self._renderer = Renderer(self.config.ui_language or str(config.theme.get("language") or "en"))
        except KeyError as err:
            raise PluginError(f"{config.config_file_path}: plugins.anonymize.ui_language: {err.args[0]}") from None

        # Messages name files as the user sees them.
        config_file = shown(Path(config.config_file_path or "mkdocs.yml"))
        self._config_file = config_file
        try:
            self._project = project = self.project(config_file)
            self.exhibition = load_exhibition(project.stories, self.as_of)
            self.reviews = Reviews.load(project.reviews_file)
        except InputError as err:
            self.failure = err
            raise PluginError("\n".join([*err.lines(), str(err)])) from None
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        config.extra["generator"] = False  # Material's footer credit links to another host
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.exhibition is None:
            return
        assert self._project is not None and self.reviews is not None
        project = self._project
        self._cleanup()
        if self.use_cache and project.cache_dir.resolve().is_relative_to(Path(config.docs_dir).resolve()):
            self.failure = InputError(
                self._config_file, "plugins.anonymize.cache: inside docs_dir, it would be published"
            )
            raise PluginError(str(self.failure))
        self._staging = Path(tempfile.mkdtemp(prefix="anonymize-build-"))
        try:
            folder = self._held.enter_context(held(project.cache_dir if self.use_cache else self._staging / "cache"))
            pictures = Cache(folder / "pictures")
            self._checks = Cache(folder / "checks")
            self._runner = runner(self.jobs, self.memory, WORKER_MEMORY, share_cores)
            self.pictures = make_pictures(
                self.exhibition, pictures, project.images, runner=self._runner, progress=self.progress
            )
        except AnonymizeError as err:
            self.failure = err
            self._cleanup()
            raise PluginError(str(err)) from None
        # Only what this build made or read stays: a story whose consent ended leaves nothing behind.
        pictures.prune()
        curation = curate(self.exhibition, self.pictures, self.reviews, project.images, draft=self.draft)
        self.pages = story_pages(curation.publish, self.pictures)
        failures = self.pictures.failures
        try:
            report = write_curator_report(
                project,
                self.exhibition,
                self.pictures,
                curation,
                scratch=self._staging,
                pages={page.story.path: page.url for page in self.pages},
                picture_uri=picture_uri,
                draft=self.draft,
                with_originals=self.with_originals,
                site_label=self.site_label,
                failures=[f.line() for f in failures],
            )
        except AnonymizeError as err:
            self.failure = err
            raise PluginError(str(err)) from None
        self.report_page, self.report_stories = report.page, list(report.stories)
        if failures:
            bad_input = all(isinstance(f.error, InputError) for f in failures)
            self.failure = BuildErrors([f.line() for f in failures], exit_code=2 if bad_input else 1)
            self._cleanup()
            raise PluginError("\n".join([*self.failure.lines(), str(self.failure)]))

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.pictures is None:
            return files
        generated: list[File] = [File.generated(config, STYLESHEET, content=stylesheet())]
        # Only the pictures of the stories this build publishes; the others went to the report.
        sizes = {picture_uri(size): size for page in self.pages for picture in page.pictures for size in picture.sizes}
        generated += [File.generated(config, uri, abs_src_path=str(size.path)) for uri, size in sorted(sizes.items())]
        assert self._renderer is not None
        self._generated = {GALLERY: None}
        generated.append(File.generated(config, GALLERY, content=_stub(self._renderer.strings["gallery_title"])))
        for page in self.pages:
            self._generated[page.src_uri] = page
            stub = _stub(page.story.pseudonym)
            generated.append(File.generated(config, page.src_uri, content=stub, inclusion=InclusionLevel.NOT_IN_NAV))
        clashes = [file.src_uri for file in generated if files.get_file_from_path(file.src_uri) is not None]
        if clashes:
            raise PluginError(
                "\n".join(
                    f"{config.docs_dir}/{uri}: the exhibition generates this file; rename yours" for uri in clashes
                )
            )
        for file in generated:
            files.append(file)
        return files

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if page.file.src_uri not in self._generated:
            return html
        assert self._renderer is not None

        def url(uri: str) -> str:
            target = files.get_file_from_path(uri)
            if target is None:
                raise PluginError(f"{page.file.src_uri}: links to {uri}, which is not part of the site")
            return target.url_relative_to(page.file)

        story = self._generated[page.file.src_uri]
        if story is None:
            return self._renderer.gallery(self.pages, url)
        return self._renderer.story(story, url, url(GALLERY))

    # Last, after any other plugin has changed the page: the headers must describe what is served.
    @event_priority(-100)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return output
        return self._finished(output, page.file.src_uri)

    @event_priority(-100)
    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return output_content
        if template_name == "sitemap.xml":
            return privacy.without_dates(output_content)
        if template_name.endswith(".html") and output_content.strip():
            return self._finished(output_content, template_name)
        return output_content

    def _finished(self, html: str, name: str) -> str:
        """A page as served: dialogs named, the privacy headers first in its head, a draft marked."""
        assert self._renderer is not None
        try:
            if self.draft:
                html = with_draft_banner(html, self._renderer.strings["draft_banner"])
            noindex = self.config.noindex or self.draft
            return privacy.private_head(a11y.name_dialogs(html), noindex, preview=self.command == "serve")
        except ValueError as err:
            raise PluginError(f"{name}: {err}") from None

    # Last, after every other plugin wrote its files (search writes its index here): the manifest
    # must list them all and the check must read them all.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        site = Path(config.site_dir)
        sitemap = site / "sitemap.xml"
        if self.config.noindex or self.draft:
            sitemap.unlink(missing_ok=True)
            (site / "sitemap.xml.gz").unlink(missing_ok=True)
            (site / "robots.txt").write_text(privacy.ROBOTS_NOINDEX, encoding="utf-8")
        elif sitemap.is_file():  # MkDocs stamps the archive with the build time; nothing else may differ
            with gzip.GzipFile(site / "sitemap.xml.gz", "wb", mtime=0) as archive:
                archive.write(sitemap.read_bytes())
        try:
            if self.command != "serve":  # a preview on this machine is never deployed
                self._check(site)
        finally:
            self._cleanup()

    def _check(self, site: Path) -> None:
        """List every file in the manifest, then check the site as ``anonymize check`` would."""
        write_manifest(site)
        assert self._project is not None
        expected = expectations(self._project.stories)
        findings = check_site(site, expected, runner=self._runner, verdicts=self._checks, progress=self.progress)
        if self._checks is not None and not findings:
            self._checks.prune()
        if findings:
            self.failure = BuildErrors([f"{_within(self.site_label, site, f.path)}: {f.reason}" for f in findings])
            raise PluginError("\n".join([*self.failure.lines(), str(self.failure)]))

    def on_build_error(self, *, error: Exception) -> None:
        self._cleanup()

    def on_shutdown(self) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None
        self._checks = None
        self._held.close()
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def _within(label: str, site: Path, path: Path) -> str:
    """``path`` inside the site as the user knows the folder (the build writes to a temporary one)."""
    inside = path.relative_to(site).as_posix()
    return label if inside == "." else f"{label}/{inside}"


def _stub(title: str) -> str:
    """The Markdown MkDocs reads for a generated page: only its title (JSON is valid YAML)."""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
