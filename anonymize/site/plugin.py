"""The ``anonymize`` MkDocs plugin: a project's settings, and its stories checked on every build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from anonymize.config import StorySettings
from anonymize.errors import InputErrors
from anonymize.stories.publish import Exhibition, load_exhibition


class AnonymizeConfig(base.Config):
    """The ``anonymize`` section of ``plugins:`` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    #: Folders, relative to mkdocs.yml.
    stories = c.Type(str, default="stories")
    photos = c.Type(str, default="photos")
    #: Terms every story withholds: names, places, nicknames of the project as a whole.
    redact = c.ListOfItems(c.Type(str), default=[])
    #: Language of the stories that do not name one (BCP 47).
    language = c.Type(str, default="en")


class AnonymizePlugin(BasePlugin[AnonymizeConfig]):
    """Checks and gates the stories; later stages turn them into pages."""

    #: The day consent is evaluated on; ``anonymize build --as-of`` sets it, otherwise today.
    as_of: dt.date | None = None
    exhibition: Exhibition | None = None

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

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        config_file = Path(config.config_file_path or "mkdocs.yml")
        if config_file.is_relative_to(Path.cwd()):  # messages name files as the user sees them
            config_file = config_file.relative_to(Path.cwd())
        settings = self.story_settings(config_file)
        try:
            self.exhibition = load_exhibition(settings, self.as_of)
        except InputErrors as err:
            raise PluginError("\n".join([*err.lines(), str(err)])) from None
        return config
