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

import json
from pathlib import Path
from typing import Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from anonymize.errors import AnonymizeError, BuildErrors, InputError, shown
from anonymize.exhibition.build import Build, BuildOptions
from anonymize.exhibition.project import Project
from anonymize.progress import Lines, Progress
from anonymize.report.model import ReportStory
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
from anonymize.site.settings import AnonymizeConfig, project_of


class AnonymizePlugin(BasePlugin[AnonymizeConfig]):
    """Turns the publishable stories into the exhibition's pages and pictures, through ``Build``."""

    #: Set by ``anonymize build`` (``site.build.build_site``); a plain ``mkdocs build`` takes the defaults.
    options: BuildOptions
    progress: Progress
    #: Why the last build failed, for ``anonymize build`` (MkDocs only carries the message).
    failure: AnonymizeError | None = None
    pages: list[StoryPage]
    #: Every story file of the last build, as the report shows it.
    report_stories: list[ReportStory]

    def __init__(self) -> None:
        self.command, self.dirty = "build", False
        self.options, self.progress = BuildOptions(), Lines()
        self.pages, self.report_stories = [], []
        self._build: Build | None = None
        self._renderer: Renderer | None = None
        self._generated: dict[str, StoryPage | None] = {}  # src_uri → its story (None: the gallery)
        self._config_file = Path("mkdocs.yml")

    def project(self, config_file: Path) -> Project:
        """The project this section describes, folders resolved next to ``config_file``."""
        return project_of(self.config, config_file)

    def built(self) -> Build:
        """The last build, once its report is written."""
        if self._build is None or self._build.report is None:
            raise AnonymizeError(self._config_file, "the anonymize plugin did not run: is it enabled?")
        return self._build

    def _fail(self, err: AnonymizeError) -> PluginError:
        self.failure = err
        if self._build is not None:
            self._build.close()
        return PluginError("\n".join([*err.lines(), str(err)]))

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # MkDocs reuses a plugin instance when it loads the same configuration again (serve, a
        # second build in one process): nothing of the last build may carry over.
        if self._build is not None:
            self._build.close()
        self.failure, self._build = None, None
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
        self._config_file = shown(Path(config.config_file_path or "mkdocs.yml"))
        try:
            self._build = Build(self.project(self._config_file), self.options, self.progress)
        except InputError as err:
            raise self._fail(err) from None
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        config.extra["generator"] = False  # Material's footer credit links to another host
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        build = self._build
        if not self.config.enabled or build is None:
            return
        docs = Path(config.docs_dir).resolve()
        if self.options.use_cache and build.project.cache_dir.resolve().is_relative_to(docs):
            inside = InputError(self._config_file, "plugins.anonymize.cache: inside docs_dir, it would be published")
            raise self._fail(inside)
        try:
            pictures = build.make_pictures()
            assert build.curation is not None
            self.pages = story_pages(build.curation.publish, pictures)
            report = build.write_report({page.story.path: page.url for page in self.pages}, picture_uri)
        except AnonymizeError as err:
            raise self._fail(err) from None
        self.report_stories = list(report.stories)
        failed = build.failures()
        if failed is not None:
            raise self._fail(failed)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self._build is None:
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
            if self.options.draft:
                html = with_draft_banner(html, self._renderer.strings["draft_banner"])
            noindex = self.config.noindex or self.options.draft
            return privacy.private_head(a11y.name_dialogs(html), noindex, preview=self.command == "serve")
        except ValueError as err:
            raise PluginError(f"{name}: {err}") from None

    # Last, after every other plugin wrote its files (search writes its index here): the manifest
    # must list them all and the check must read them all.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self._build is None:
            return
        site = Path(config.site_dir)
        privacy.finish_indexing(site, noindex=self.config.noindex or self.options.draft)
        try:
            if self.command != "serve":  # a preview on this machine is never deployed
                findings = self._build.check(site)
                if findings:
                    label = self.options.site_label
                    raise self._fail(BuildErrors([f"{_within(label, site, f.path)}: {f.reason}" for f in findings]))
        finally:
            self._build.close()

    def on_build_error(self, *, error: Exception) -> None:
        if self._build is not None:
            self._build.close()

    def on_shutdown(self) -> None:
        if self._build is not None:
            self._build.close()


def _within(label: str, site: Path, path: Path) -> str:
    """``path`` inside the site as the user knows the folder (the build writes to a temporary one)."""
    inside = path.relative_to(site).as_posix()
    return label if inside == "." else f"{label}/{inside}"


def _stub(title: str) -> str:
    """The Markdown MkDocs reads for a generated page: only its title (JSON is valid YAML)."""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
