"""The ``anonymize`` MkDocs plugin: the hooks that run ``exhibition.Build`` inside a MkDocs build.

- ``on_config``: refuse settings that would reach another host; load and gate the stories.
- ``on_pre_build``: make every cleared photo (before MkDocs empties ``site_dir``, so a photo
  that fails leaves the last good site as it was) and write the curator report.
- ``on_files`` / ``on_page_content``: the stylesheet, pictures, gallery and story pages (``Exhibit``).
- ``on_post_page`` / ``on_post_template``: privacy headers, no generator tag, no sitemap dates.
- ``on_post_build``: robots.txt or a deterministic sitemap; the finished site checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from anonymize.errors import AnonymizeError, BuildErrors, InputError, printed, shown
from anonymize.exhibition.build import Build, BuildOptions
from anonymize.progress import Lines, Progress
from anonymize.site import privacy, themes
from anonymize.site.exhibit import Exhibit, renderer_for, within
from anonymize.site.pages import STYLESHEET, StoryPage, picture_uri, story_pages
from anonymize.site.settings import AnonymizeConfig, project_of


class InputAbort(Abort):
    """Bad input stops a plain ``mkdocs build`` as it stops ``anonymize build``: one line per
    problem on standard error, exit status 2 (MkDocs' own failures exit 1: a picture or page
    that could not be made safe goes that way, as a ``PluginError``)."""

    exit_code = 2  # click's exit status
    code = 2  # SystemExit's

    def __init__(self, err: AnonymizeError) -> None:
        self.printed = printed(err)
        super().__init__("\n".join(self.printed))

    def show(self, *args: object, **kwargs: object) -> None:
        for line in self.printed:
            click.echo(f"anonymize: {line}", err=True)


class AnonymizePlugin(BasePlugin[AnonymizeConfig]):
    """Turns the publishable stories into the exhibition's pages and pictures, through ``Build``."""

    #: Set by ``anonymize build`` (``site.build.build_site``); a plain ``mkdocs build`` takes the defaults.
    options: BuildOptions
    progress: Progress
    #: Why the last build failed, for ``anonymize build`` (MkDocs only carries the message).
    failure: AnonymizeError | None = None

    def __init__(self) -> None:
        self.command, self.dirty = "build", False
        self.options, self.progress = BuildOptions(), Lines()
        self._build: Build | None = None
        self._exhibit: Exhibit | None = None
        self._config_file = Path("mkdocs.yml")

    @property
    def pages(self) -> list[StoryPage]:
        """The story pages of the last build."""
        return [] if self._exhibit is None else self._exhibit.pages

    def built(self) -> Build:
        """The last build, once its report is written."""
        if self._build is None or self._build.report is None:
            raise AnonymizeError(self._config_file, "the anonymize plugin did not run: is it enabled?")
        return self._build

    def _fail(self, err: AnonymizeError) -> Exception:
        self.failure = err
        self._close()
        if err.exit_code == 2:
            return InputAbort(err)
        return PluginError("\n".join(printed(err)))

    def _close(self) -> None:
        if self._build is not None:
            self._build.close()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command, self.dirty = command, dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # MkDocs reuses a plugin instance when it loads the same configuration again (serve, a
        # second build in one process): nothing of the last build may carry over.
        self._close()
        self.failure, self._build, self._exhibit = None, None, None
        if not self.config.enabled:
            return config
        if self.dirty:
            refused = InputError(None, "--dirty would keep the pages and pictures of stories whose consent has ended")
            raise self._fail(refused)
        try:
            renderer = renderer_for(config, self.config.ui_language)
        except InputError as err:
            raise self._fail(err) from None
        banners = [renderer.strings["draft_banner"]] if self.options.draft else []
        if self.options.preview and self.options.as_of is not None:
            banners.append(renderer.strings["preview_banner"].format(day=self.options.as_of.isoformat()))
        noindex = self.config.noindex or bool(banners)
        self._exhibit = Exhibit(
            renderer,
            banner=" · ".join(banners) or None,
            noindex=noindex,
            preview=self.command == "serve",
            help_page=self.config.help_page,
            lead=self.config.lead,
        )
        themes.add_layer(config.theme)
        # Messages name files as the user sees them.
        self._config_file = shown(Path(config.config_file_path or "mkdocs.yml"))
        try:
            self._build = Build(project_of(self.config, self._config_file), self.options, self.progress)
        except InputError as err:
            raise self._fail(err) from None
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        config.extra["generator"] = False  # Material's footer credit links to another host
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        build = self._build
        if build is None:
            return
        docs = Path(config.docs_dir).resolve()
        if self.options.use_cache and build.project.cache_dir.resolve().is_relative_to(docs):
            inside = InputError(self._config_file, "plugins.anonymize.cache: inside docs_dir, it would be published")
            raise self._fail(inside)
        try:
            pictures = build.make_pictures()
            assert build.curation is not None
            assert self._exhibit is not None
            pages = self._exhibit.pages = story_pages(build.curation.publish, pictures)
            build.write_report({page.story.path: page.url for page in pages}, picture_uri)
        except AnonymizeError as err:
            raise self._fail(err) from None
        failed = build.failures()
        if failed is not None:
            raise self._fail(failed)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if self._exhibit is None or self._build is None:
            return files
        try:
            made = self._exhibit.files(config, files)
        except AnonymizeError as err:
            raise self._fail(err) from None
        for file in made:
            files.append(file)
        return files

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        return html if self._exhibit is None else self._exhibit.content(html, page, files)

    # Last, after any other plugin has changed the page: the headers must describe what is served.
    @event_priority(-100)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        return output if self._exhibit is None else self._exhibit.finished(output, page.file.src_uri)

    @event_priority(-100)
    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str | None:
        if self._exhibit is None:
            return output_content
        if template_name == "sitemap.xml":
            return privacy.without_dates(output_content)
        if template_name.endswith(".html") and output_content.strip():
            return self._exhibit.finished(output_content, template_name)
        return output_content

    # Last, after every other plugin wrote its files (search writes its index here): the manifest
    # must list them all and the check must read them all.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self._exhibit is None or self._build is None:
            return
        site = Path(config.site_dir)
        privacy.finish_indexing(site, noindex=self._exhibit.noindex)
        try:
            if self.command != "serve":  # a preview on this machine is never deployed
                findings = self._build.check(site)
                if findings:
                    label = self.options.site_label
                    raise self._fail(BuildErrors([f"{within(label, site, f.path)}: {f.reason}" for f in findings]))
        finally:
            self._close()

    def on_build_error(self, *, error: Exception) -> None:
        self._close()

    def on_shutdown(self) -> None:
        self._close()
