"""The exhibition's generated pages: a gallery and one page per story, rendered from templates.

Pages are named after pseudonyms (never the story's file name, which may be a real name) and
pictures after their content. Everything a story says is escaped by the templates except the
testimony, which is inserted as the HTML the stories stage rendered and checked.
"""

from __future__ import annotations

import html.parser
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib import resources

import jinja2
import yaml
from markupsafe import Markup

from anonymize.exhibition.pictures import Picture, Pictures
from anonymize.image.derive import Derivative
from anonymize.stories.model import PublishableStory

#: Where the generated files go in the site, as MkDocs source paths.
STORIES = "stories"
GALLERY = f"{STORIES}/index.md"
PICTURES = "pictures"
STYLESHEET = "assets/anonymize/exhibition.css"
#: Longest excerpt taken from a testimony for its gallery card, in characters.
EXCERPT_LENGTH = 200

URL = Callable[[str], str]
#: How wide a story's pictures are shown, for the browser to pick a size before layout: the whole
#: column, at most the widest column the supported themes give (px: ``sizes`` lengths do not
#: follow a theme's root font size).
PICTURE_SIZES = "(min-width: 1240px) 1220px, 100vw"
#: What the plugin marks its pages with (``page.meta``), for the theme's templates.
LAYOUT = "anonymize_layout"


def picture_uri(size: Derivative) -> str:
    """Where a web size is published: named by its content, nothing else."""
    return f"{PICTURES}/{size.path.name}"


@dataclass(frozen=True)
class StoryPage:
    """One story's page: where it goes and what it shows."""

    story: PublishableStory
    src_uri: str
    pictures: tuple[Picture, ...]

    @property
    def url(self) -> str:
        """Where MkDocs serves it (directory URLs): ``stories/amir.md`` → ``stories/amir/``."""
        return self.src_uri.removesuffix(".md") + "/"


@dataclass(frozen=True)
class Neighbour:
    """A story one step away, as a page links to it."""

    story: PublishableStory
    url: str


@dataclass(frozen=True)
class Way:
    """Where a page's links lead: the gallery, the help page (None: the docs have none) and, for
    a story, the stories before and after it in the gallery."""

    gallery: str
    help: str | None = None
    previous: Neighbour | None = None
    next: Neighbour | None = None


@dataclass(frozen=True)
class Card:
    """One story in the gallery."""

    story: PublishableStory
    url: str
    picture: Picture | None  # the first picture that needs no warning
    hidden: bool  # pictures exist but every one is behind a warning
    excerpt: str | None


def page_slug(pseudonym: str) -> str:
    """A URL path segment for a pseudonym: letters and digits of any script, joined by hyphens."""
    text = unicodedata.normalize("NFKC", pseudonym).casefold()
    return "-".join(re.findall(r"[^\W_]+", text)) or "story"


def story_pages(stories: Sequence[PublishableStory], pictures: Pictures) -> list[StoryPage]:
    """A page for each story, in a stable order, each under a unique name."""
    pages = []
    taken: set[str] = {"index"}
    for story in sorted(stories, key=lambda s: (page_slug(s.pseudonym), s.pseudonym)):
        slug = base = page_slug(story.pseudonym)
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        pages.append(StoryPage(story, f"{STORIES}/{slug}.md", tuple(pictures.of(story))))
    return pages


def lead_picture(pages: Sequence[StoryPage], lead: str | None) -> tuple[Picture, StoryPage] | None:
    """The picture that leads the home page. ``lead`` names a photo as stories do (relative to
    the photos folder) or a story (its file name without .md, its first picture); a picture
    behind a warning never leads. Without ``lead``, or when what it names is not published
    (consent ended, say), the first picture of the gallery that needs no warning; None when no
    story has one."""
    candidates = [(p, page) for page in pages for p in page.pictures if not p.photo.content_warnings]
    chosen = [(p, page) for p, page in candidates if lead in (p.photo.file, page.story.slug)]
    return next(iter(chosen or candidates), None)


def excerpt(testimony_html: str, limit: int = EXCERPT_LENGTH) -> str:
    """The first paragraph of a rendered testimony as plain text, cut at a word within ``limit``."""
    reader = _FirstParagraph()
    reader.feed(testimony_html)
    text = " ".join("".join(reader.parts).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + "…"


class Renderer:
    """Renders the generated pages in one interface language."""

    def __init__(self, ui_language: str, page_language: str | None = None) -> None:
        self.strings = interface_strings(ui_language)
        #: The interface words' language, and how an element holding them says so where it differs
        #: from the page's (``<html lang>``, the theme's language): ``lang="ru"`` under an English theme.
        self.ui_language = ui_language
        different = page_language is not None and _primary(page_language) != _primary(ui_language)
        self.ui_lang = Markup(f' lang="{escape(ui_language)}"') if different else Markup("")
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("anonymize.site", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def story(self, page: StoryPage, url: URL, way: Way) -> str:
        """A story's page; ``way`` says where its links lead (the gallery, help, its neighbours)."""
        return self.env.get_template("story.html").render(
            story=page.story,
            pictures=page.pictures,
            gallery_url=way.gallery,
            help_url=way.help,
            previous=way.previous,
            next=way.next,
            picture_sizes=PICTURE_SIZES,
            **self._common(url),
        )

    def home(self, statement: str, lead: Picture | None, lead_language: str, url: URL, way: Way) -> str:
        """The home page: ``lead`` large, then the page as written (``statement``), then the ways on."""
        return self.env.get_template("home.html").render(
            statement=statement,
            lead=lead,
            lead_language=lead_language,
            gallery_url=way.gallery,
            help_url=way.help,
            picture_sizes=PICTURE_SIZES,
            **self._common(url),
        )

    def text_page(self, content: str, url: URL, way: Way) -> str:
        """One of the exhibition's own text pages (how to help): as written, in readable type."""
        return self.env.get_template("page.html").render(content=content, gallery_url=way.gallery, **self._common(url))

    def gallery(self, pages: Iterable[StoryPage], url: URL) -> str:
        cards = [_card(page, url(page.src_uri)) for page in pages]
        return self.env.get_template("gallery.html").render(cards=cards, **self._common(url))

    def _common(self, url: URL) -> dict[str, object]:
        def size_url(size: Derivative | str) -> str:
            return url(size if isinstance(size, str) else picture_uri(size))

        return {
            "t": self.strings,
            "ui": self.ui_language,
            "ui_lang": self.ui_lang,
            "url": size_url,
            "fallback": _fallback,
        }


_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def with_draft_banner(html: str, text: str, lang: str = "") -> str:
    """``html`` with a banner first in its body saying the page is a draft (no JS, any theme).

    Raises ``ValueError`` when the page has no body to put it in.
    """
    body = _BODY.search(html)
    if body is None:
        raise ValueError("the page has no <body> for its DRAFT banner")
    banner = f'<div class="anonymize-draft" role="note"{lang}><strong>{escape(text)}</strong></div>'
    return html[: body.end()] + banner + html[body.end() :]


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def interface_strings(language: str) -> Mapping[str, str]:
    """The interface strings of ``language`` (its primary subtag); ``KeyError`` when there are none."""
    folder = resources.files("anonymize.site") / "strings"
    file = folder / f"{_primary(language)}.yml"
    if not file.is_file():
        available = sorted(p.name.removesuffix(".yml") for p in folder.iterdir() if p.name.endswith(".yml"))
        raise KeyError(f"no interface strings for {language!r} (available: {', '.join(available)})")
    strings: dict[str, str] = yaml.safe_load(file.read_text(encoding="utf-8"))
    return strings


def stylesheet(layer: str = "") -> bytes:
    """The exhibition's stylesheet as published: its own rules, then the theme layer's
    (``layer``), without comments or spaces a browser does not need (a phone on a slow line
    loads it before the page shows)."""
    css = (resources.files("anonymize.site") / "assets" / "exhibition.css").read_text(encoding="utf-8")
    return minified_css(css + "\n" + layer).encode()


def minified_css(css: str) -> str:
    """``css`` without comments and without the spaces around punctuation that mean nothing.
    For the package's own stylesheets, which hold no strings with comment marks or braces in them."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    css = re.sub(r"([{;]\s*[-\w]+)\s*:\s*", r"\1:", css)  # "color : x" in a declaration, not "a :hover"
    return css.replace(";}", "}").strip() + "\n"


def _fallback(picture: Picture) -> Derivative:
    """The size a browser without ``srcset`` support gets: the first at least 960 wide, or the largest."""
    return next((size for size in picture.sizes if size.width >= 960), picture.largest)


def _card(page: StoryPage, url: str) -> Card:
    story = page.story
    shown = next((p for p in page.pictures if not p.photo.content_warnings), None)
    text = story.excerpt
    if text is None and story.testimony_html and not story.content_warnings:
        text = excerpt(story.testimony_html) or None  # a testimony behind a warning is not quoted
    return Card(story, url, shown, shown is None and bool(page.pictures), text)


class _FirstParagraph(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.depth:
            self.depth -= 1
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.depth and not self.done:
            self.parts.append(data)
