"""The exhibition inside one MkDocs build: its generated files, their HTML, every page as served.

The plugin's hooks call these; what they produce (pages, pictures, report) comes from the
library (``anonymize.exhibition``) and the templates (``site.pages``). Problems are
``PluginError`` naming the file, as MkDocs reports them.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from PIL import Image

from anonymize.errors import InputError, InputErrors, shown
from anonymize.site import a11y, privacy, themes
from anonymize.site.pages import (
    GALLERY,
    LAYOUT,
    STYLESHEET,
    Neighbour,
    Renderer,
    StoryPage,
    Way,
    lead_picture,
    picture_uri,
    stylesheet,
    with_draft_banner,
)

#: The help page a project gets without saying, when its docs have one.
DEFAULT_HELP_PAGE = "help.md"


def renderer_for(config: MkDocsConfig, ui_language: str | None) -> Renderer:
    """The renderer of a site whose theme and settings reach no other host.

    Raises ``InputErrors`` naming mkdocs.yml and the setting otherwise."""
    problems = privacy.config_problems(
        config.theme.name, config.theme, config.repo_url, config.extra, config.extra_css, config.extra_javascript
    )
    where = shown(Path(config.config_file_path or "mkdocs.yml"))
    if problems:
        raise InputErrors([InputError(where, line) for line in problems])
    try:
        page_language = str(config.theme.get("language") or config.theme.get("locale") or "en")
        return Renderer(ui_language or page_language, page_language)
    except KeyError as err:
        raise InputError(where, f"plugins.anonymize.ui_language: {err.args[0]}") from None


class Exhibit:
    """The files a build adds to the site and the HTML it puts in them."""

    def __init__(
        self,
        renderer: Renderer,
        *,
        banner: str | None,
        noindex: bool,
        preview: bool,
        help_page: str | None = None,
        lead: str | None = None,
    ) -> None:
        self.renderer = renderer
        #: What every page says first when it is not the live exhibition (a draft, another day).
        self.banner, self.noindex, self.preview = banner, noindex, preview
        #: As set in mkdocs.yml (None: help.md when there is one), then as found in the docs.
        self.help_setting, self.help_page = help_page, help_page
        self.lead = lead
        #: The story pages of this build, set once its pictures are made.
        self.pages: list[StoryPage] = []
        self._generated: dict[str, StoryPage | None] = {}  # src_uri → its story (None: the gallery)

    def files(self, config: MkDocsConfig, existing: Files) -> list[File]:
        """The stylesheet, the pictures of the pages, the gallery and a stub per page.

        Raises ``InputErrors`` when a file of the docs has a generated file's name, ``InputError``
        when the help page set in mkdocs.yml is not one of the docs."""
        pages = self.pages
        css = stylesheet(themes.stylesheet(config.theme.name))
        generated: list[File] = [File.generated(config, STYLESHEET, content=css)]
        # Only the pictures of the stories this build publishes; the others went to the report.
        sizes = {picture_uri(size): size for page in pages for picture in page.pictures for size in picture.sizes}
        generated += [File.generated(config, uri, abs_src_path=str(size.path)) for uri, size in sorted(sizes.items())]
        self._generated = {GALLERY: None}
        gallery = _stub(self.renderer.strings["gallery_title"], "gallery")
        generated.append(File.generated(config, GALLERY, content=gallery))
        for page in pages:
            self._generated[page.src_uri] = page
            stub = _stub(page.story.pseudonym, "story")
            generated.append(File.generated(config, page.src_uri, content=stub, inclusion=InclusionLevel.NOT_IN_NAV))
        clashes = [file.src_uri for file in generated if existing.get_file_from_path(file.src_uri) is not None]
        if clashes:
            docs = shown(Path(config.docs_dir))
            raise InputErrors(
                [InputError(docs / uri, "the exhibition generates this file; rename yours") for uri in clashes]
            )
        generated += theme_graphics(config, existing)
        wanted = self.help_setting or DEFAULT_HELP_PAGE
        self.help_page = wanted if existing.get_file_from_path(wanted) is not None else None
        if self.help_setting and self.help_page is None:
            where = shown(Path(config.config_file_path or "mkdocs.yml"))
            missing = shown(Path(config.docs_dir) / wanted)
            raise InputError(where, f"plugins.anonymize.help_page: {missing} is not a page of the docs")
        return generated

    def content(self, html: str, page: Page, files: Files) -> str:
        """The generated HTML of ``page`` when it is one of the exhibition's (a story, the gallery,
        the home page, the help page), ``html`` otherwise."""

        def url(uri: str) -> str:
            target = files.get_file_from_path(uri)
            if target is None:
                raise PluginError(f"{page.file.src_uri}: links to {uri}, which is not part of the site")
            return target.url_relative_to(page.file)

        help_url = url(self.help_page) if self.help_page else None
        if page.file.src_uri not in self._generated:
            if page.is_homepage:
                page.meta[LAYOUT] = "home"
                lead = lead_picture(self.pages, self.lead)
                way = Way(url(GALLERY), help_url)
                picture, language = (lead[0], lead[1].story.language) if lead else (None, "")
                return self.renderer.home(html, picture, language, url, way)
            if page.file.src_uri == self.help_page:
                page.meta[LAYOUT] = "page"
                return self.renderer.text_page(html, url, Way(url(GALLERY), help_url))
            return html
        story = self._generated[page.file.src_uri]
        if story is None:
            return self.renderer.gallery(self.pages, url)
        at = self.pages.index(story)
        before = self.pages[at - 1] if at > 0 else None
        after = self.pages[at + 1] if at + 1 < len(self.pages) else None
        way = Way(
            url(GALLERY),
            help_url,
            Neighbour(before.story, url(before.src_uri)) if before else None,
            Neighbour(after.story, url(after.src_uri)) if after else None,
        )
        return self.renderer.story(story, url, way)

    def finished(self, html: str, name: str) -> str:
        """A page as served: dialogs named, the privacy headers first in its head, a draft or a
        look at another day marked as such."""
        try:
            if self.banner:
                html = with_draft_banner(html, self.banner, self.renderer.ui_lang)
            html = privacy.without_build_stamp(html)
            return privacy.private_head(a11y.name_dialogs(html), self.noindex, preview=self.preview)
        except ValueError as err:
            raise PluginError(f"{name}: {err}") from None


def theme_graphics(config: MkDocsConfig, files: Files) -> list[File]:
    """The theme's PNG graphics, re-made from their pixels, in place of the theme's own files
    (which are taken out of ``files``): a theme may ship one with text chunks (MkDocs' own theme's
    grid.png has an iTXt), and nothing but pixels is published. The docs' own pictures are not
    touched: the site check refuses any of them that holds more than pixels."""
    docs = Path(config.docs_dir).resolve()
    remade = []
    for file in list(files):
        source = Path(file.abs_src_path) if file.abs_src_path else None
        if source is None or source.suffix.lower() != ".png" or source.resolve().is_relative_to(docs):
            continue
        try:
            with Image.open(source) as image:
                pixels = image.convert("RGBA")
        except (OSError, ValueError) as err:
            raise PluginError(f"{source}: a picture of the theme that cannot be read: {err}") from None
        out = io.BytesIO()
        pixels.save(out, "PNG")
        files.remove(file)
        remade.append(File.generated(config, file.src_uri, content=out.getvalue()))
    return remade


def within(label: str, site: Path, path: Path) -> str:
    """``path`` inside the site as the user knows the folder (the build writes to a temporary one)."""
    inside = path.relative_to(site).as_posix()
    return label if inside == "." else f"{label}/{inside}"


def _stub(title: str, layout: str) -> str:
    """The Markdown MkDocs reads for a generated page: its title (JSON is valid YAML) and which
    of the exhibition's layouts it is, for the theme's templates."""
    return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{LAYOUT}: {layout}\n---\n"
