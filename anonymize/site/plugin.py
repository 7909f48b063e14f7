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

from anonymize.config import ImageSettings, StorySettings
from anonymize.errors import AnonymizeError, BuildErrors, InputError, InputErrors
from anonymize.fileio import atomic_output, write_synced
from anonymize.image.redact import STYLES
from anonymize.site import a11y, privacy
from anonymize.site.pages import GALLERY, STYLESHEET, Renderer, StoryPage, picture_uri, story_pages, stylesheet
from anonymize.site.pictures import Pictures, make_pictures
from anonymize.stories.publish import Exhibition, load_exhibition


class AnonymizeConfig(base.Config):
    """The ``anonymize`` section of ``plugins:`` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    #: Folders, relative to mkdocs.yml. Reports are for curators: never inside the site.
    stories = c.Type(str, default="stories")
    photos = c.Type(str, default="photos")
    reports = c.Type(str, default="reports")
    #: Terms every story withholds: names, places, nicknames of the project as a whole.
    redact = c.ListOfItems(c.Type(str), default=[])
    #: How redacted regions are drawn; an opaque fill unless the curator chooses otherwise.
    style = c.Choice(tuple(STYLES), default="solid")
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

    def __init__(self) -> None:
        self.command = "build"
        self.dirty = False
        self.pages = []
        self._staging: Path | None = None
        self._renderer: Renderer | None = None
        self._generated: dict[str, StoryPage | None] = {}  # src_uri → its story (None: the gallery)
        self._config_file = Path("mkdocs.yml")

    def story_settings(self, config_file: Path) -> StorySettings:
        """The settings of this section, folders resolved next to ``config_file``."""
        root = config_file.parent
        return StorySettings(
            stories_dir=root / self.config.stories,
            photos_dir=root / self.config.photos,
            redact=tuple(self.config.redact),
            language=self.config.language,
            config_file=config_file,
        )

    @property
    def reports_dir(self) -> Path:
        return self._config_file.parent / self.config.reports

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # MkDocs reuses a plugin instance when it loads the same configuration again (serve, a
        # second build in one process): nothing of the last build may carry over.
        self.failure = self.exhibition = self.pictures = None
        self.pages, self._generated = [], {}
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

        config_file = Path(config.config_file_path or "mkdocs.yml")
        if config_file.is_relative_to(Path.cwd()):  # messages name files as the user sees them
            config_file = config_file.relative_to(Path.cwd())
        self._config_file = config_file
        try:
            self.exhibition = load_exhibition(self.story_settings(config_file), self.as_of)
        except InputErrors as err:
            self.failure = err
            raise PluginError("\n".join([*err.lines(), str(err)])) from None
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        config.extra["generator"] = False  # Material's footer credit links to another host
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.exhibition is None:
            return
        self._cleanup()
        self._staging = Path(tempfile.mkdtemp(prefix="anonymize-build-"))
        self.pictures = make_pictures(self.exhibition, self._staging, ImageSettings(style=self.config.style))
        if self.pictures.failures:
            failures = self.pictures.failures
            bad_input = all(isinstance(f.error, InputError) for f in failures)
            self.failure = BuildErrors([f.line() for f in failures], exit_code=2 if bad_input else 1)
            self._cleanup()
            raise PluginError("\n".join([*self.failure.lines(), str(self.failure)]))
        self.pages = story_pages(self.exhibition, self.pictures)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.pictures is None:
            return files
        generated: list[File] = [File.generated(config, STYLESHEET, content=stylesheet())]
        sizes = {picture_uri(size): size for picture in self.pictures.made.values() for size in picture.sizes}
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
        """A page as served: dialogs named, the privacy headers first in its head."""
        try:
            return privacy.private_head(a11y.name_dialogs(html), self.config.noindex, preview=self.command == "serve")
        except ValueError as err:
            raise PluginError(f"{name}: {err}") from None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        site = Path(config.site_dir)
        sitemap = site / "sitemap.xml"
        if self.config.noindex:
            sitemap.unlink(missing_ok=True)
            (site / "sitemap.xml.gz").unlink(missing_ok=True)
            (site / "robots.txt").write_text(privacy.ROBOTS_NOINDEX, encoding="utf-8")
        elif sitemap.is_file():  # MkDocs stamps the archive with the build time; nothing else may differ
            with gzip.GzipFile(site / "sitemap.xml.gz", "wb", mtime=0) as archive:
                archive.write(sitemap.read_bytes())
        self._write_report()
        self._cleanup()

    def on_build_error(self, *, error: Exception) -> None:
        self._cleanup()

    def on_shutdown(self) -> None:
        self._cleanup()

    def _write_report(self) -> None:
        """The build's record for the curator, beside the site and never inside it."""
        if self.exhibition is None or self.pictures is None:
            return
        pictures = self.pictures.made
        report = {
            "as_of": self.exhibition.as_of.isoformat(),
            "published": [
                {
                    "story": str(page.story.path),
                    "page": page.src_uri,
                    "pictures": [
                        {
                            "file": photo.file,
                            "sizes": [picture_uri(size) for size in pictures[(page.story.path, i)].sizes],
                            "image": pictures[(page.story.path, i)].report.to_dict(),
                        }
                        for i, photo in enumerate(page.story.photos)
                        if (page.story.path, i) in pictures
                    ],
                }
                for page in self.pages
            ],
            "excluded": [
                {"story": str(e.path), "part": e.part, "reason": e.reason} for e in self.exhibition.exclusions
            ],
        }
        data = (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()
        try:
            with atomic_output(self.reports_dir / "build.json") as temporary:
                write_synced(temporary, data)
        except OSError as err:
            raise PluginError(f"{self.reports_dir / 'build.json'}: cannot write the report: {err}") from None

    def _cleanup(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


def _stub(title: str) -> str:
    """The Markdown MkDocs reads for a generated page: only its title (JSON is valid YAML)."""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
