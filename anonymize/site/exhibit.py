"""The exhibition inside one MkDocs build: its generated files, their HTML, every page as served.

The plugin's hooks call these; what they produce (pages, pictures, report) comes from the
library (``anonymize.exhibition``) and the templates (``site.pages``). Problems are
``PluginError`` naming the file, as MkDocs reports them.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from anonymize.site import a11y, privacy
from anonymize.site.pages import GALLERY, STYLESHEET, Renderer, StoryPage, picture_uri, stylesheet, with_draft_banner


def renderer_for(config: MkDocsConfig, ui_language: str | None) -> Renderer:
    """The renderer of a site whose theme and settings reach no other host.

    Raises ``PluginError`` naming mkdocs.yml and the setting otherwise."""
    problems = privacy.config_problems(
        config.theme.name, config.theme, config.repo_url, config.extra, config.extra_css, config.extra_javascript
    )
    if problems:
        raise PluginError("\n".join(f"{config.config_file_path}: {line}" for line in problems))
    try:
        return Renderer(ui_language or str(config.theme.get("language") or "en"))
    except KeyError as err:
        raise PluginError(f"{config.config_file_path}: plugins.anonymize.ui_language: {err.args[0]}") from None


class Exhibit:
    """The files a build adds to the site and the HTML it puts in them."""

    def __init__(self, renderer: Renderer, *, draft: bool, noindex: bool, preview: bool) -> None:
        self.renderer = renderer
        self.draft, self.noindex, self.preview = draft, noindex, preview
        #: The story pages of this build, set once its pictures are made.
        self.pages: list[StoryPage] = []
        self._generated: dict[str, StoryPage | None] = {}  # src_uri → its story (None: the gallery)

    def files(self, config: MkDocsConfig, existing: Files) -> list[File]:
        """The stylesheet, the pictures of the pages, the gallery and a stub per page.

        Raises ``PluginError`` when a file of the docs has a generated file's name."""
        pages = self.pages
        generated: list[File] = [File.generated(config, STYLESHEET, content=stylesheet())]
        # Only the pictures of the stories this build publishes; the others went to the report.
        sizes = {picture_uri(size): size for page in pages for picture in page.pictures for size in picture.sizes}
        generated += [File.generated(config, uri, abs_src_path=str(size.path)) for uri, size in sorted(sizes.items())]
        self._generated = {GALLERY: None}
        generated.append(File.generated(config, GALLERY, content=_stub(self.renderer.strings["gallery_title"])))
        for page in pages:
            self._generated[page.src_uri] = page
            stub = _stub(page.story.pseudonym)
            generated.append(File.generated(config, page.src_uri, content=stub, inclusion=InclusionLevel.NOT_IN_NAV))
        clashes = [file.src_uri for file in generated if existing.get_file_from_path(file.src_uri) is not None]
        if clashes:
            lines = [f"{config.docs_dir}/{uri}: the exhibition generates this file; rename yours" for uri in clashes]
            raise PluginError("\n".join(lines))
        return generated

    def content(self, html: str, page: Page, files: Files) -> str:
        """The generated HTML of ``page`` when it is one of the exhibition's, ``html`` otherwise."""
        if page.file.src_uri not in self._generated:
            return html

        def url(uri: str) -> str:
            target = files.get_file_from_path(uri)
            if target is None:
                raise PluginError(f"{page.file.src_uri}: links to {uri}, which is not part of the site")
            return target.url_relative_to(page.file)

        story = self._generated[page.file.src_uri]
        if story is None:
            return self.renderer.gallery(self.pages, url)
        return self.renderer.story(story, url, url(GALLERY))

    def finished(self, html: str, name: str) -> str:
        """A page as served: dialogs named, the privacy headers first in its head, a draft marked."""
        try:
            if self.draft:
                html = with_draft_banner(html, self.renderer.strings["draft_banner"])
            return privacy.private_head(a11y.name_dialogs(html), self.noindex, preview=self.preview)
        except ValueError as err:
            raise PluginError(f"{name}: {err}") from None


def within(label: str, site: Path, path: Path) -> str:
    """``path`` inside the site as the user knows the folder (the build writes to a temporary one)."""
    inside = path.relative_to(site).as_posix()
    return label if inside == "." else f"{label}/{inside}"


def _stub(title: str) -> str:
    """The Markdown MkDocs reads for a generated page: only its title (JSON is valid YAML)."""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
