"""The ``anonymize`` section of mkdocs.yml, and the project it describes."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from anonymize.cache import DEFAULT_FOLDER
from anonymize.config import (
    BACKGROUNDS,
    DEFAULT_MIN_TEXT,
    STYLES,
    Background,
    ImageSettings,
    StorySettings,
    Style,
    TextSettings,
)
from anonymize.errors import InputError
from anonymize.exhibition.project import Project


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
    #: Names and places every story may publish as written: what the exhibition names on purpose.
    allow = c.ListOfItems(c.Type(str), default=[])
    #: How redacted regions are drawn; an opaque fill unless the curator chooses otherwise.
    style = c.Choice(STYLES, default=Style.SOLID.value)
    #: What happens behind the people in every photo that does not say: keep or blur.
    background = c.Choice(BACKGROUNDS, default=Background.KEEP.value)
    #: Find and cover scene text (signs, plates, house numbers, screens), down to min_text pixels.
    text = c.Type(bool, default=True)
    min_text = c.Type(int, default=DEFAULT_MIN_TEXT)
    #: Language of the stories that do not name one (BCP 47).
    language = c.Type(str, default="en")
    #: Language of the pages' own words (labels, links); by default the theme's.
    ui_language = c.Optional(c.Type(str))
    #: Ask search engines to stay away (robots meta, robots.txt, no sitemap).
    noindex = c.Type(bool, default=True)
    #: The page every story ends by pointing to, relative to docs_dir; by default help.md when
    #: the docs have one.
    help_page = c.Optional(c.Type(str))
    #: The story (its file name without .md) whose first picture leads the home page; by default
    #: the first story in the gallery with a picture that needs no warning.
    lead = c.Optional(c.Type(str))


def project_of(config: AnonymizeConfig, config_file: Path) -> Project:
    """The project ``config`` describes, folders resolved next to ``config_file``.

    Raises ``InputError`` naming the file when a setting is out of range."""
    root = config_file.parent
    stories = StorySettings(
        stories_dir=root / config.stories,
        photos_dir=root / config.photos,
        redact=tuple(config.redact),
        allow=tuple(config.allow),
        language=config.language,
        config_file=config_file,
    )
    try:
        images = ImageSettings(
            style=Style(config.style),
            text=TextSettings(config.text, config.min_text),
            background=Background(config.background),
        )
    except ValueError as err:
        raise InputError(config_file, f"plugins.anonymize: {err}") from None
    return Project(
        config_file,
        stories,
        images,
        reports_dir=root / config.reports,
        cache_dir=root / config.cache,
        reviews_file=root / config.reviews,
    )
