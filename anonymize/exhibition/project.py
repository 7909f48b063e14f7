"""A project as the build sees it: where everything is, and how its pictures are made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from anonymize.config import ImageSettings, StorySettings


@dataclass(frozen=True)
class Project:
    """One exhibition's folders and settings, paths resolved beside its configuration file."""

    #: The file the settings came from (mkdocs.yml), named in messages; the project's folder is its parent.
    config_file: Path
    stories: StorySettings
    images: ImageSettings = field(default_factory=ImageSettings)
    #: The curator report's folder: never inside the site.
    reports_dir: Path = Path("reports")
    #: The cache of anonymized pictures kept between builds.
    cache_dir: Path = Path(".anonymize-cache")
    #: The curators' decisions.
    reviews_file: Path = Path("reviews.yml")

    @property
    def root(self) -> Path:
        return self.config_file.parent
