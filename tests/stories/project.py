"""A story project written into a temporary folder: stories, photos and settings."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from PIL import Image

from anonymize.config import StorySettings
from anonymize.stories.model import Exhibition
from anonymize.stories.publish import load_exhibition

CONSENT = """\
consent:
  portrait: true
  testimony: true
  given: 2024-01-01
"""
AS_OF = dt.date(2026, 6, 1)


class Project:
    """Writes stories and photos under ``root`` and loads them as the build would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.stories = root / "stories"
        self.photos = root / "photos"
        self.stories.mkdir(parents=True)
        self.photos.mkdir()
        self.redact: tuple[str, ...] = ()
        self.allow: tuple[str, ...] = ()

    def photo(self, name: str, size: tuple[int, int] = (64, 48)) -> str:
        path = self.photos / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, (120, 130, 140)).save(path, "JPEG")
        return name

    def story(self, slug: str, front: str, body: str = "Words.\n", consent: str | None = CONSENT) -> Path:
        """Write ``stories/SLUG.md``; ``front`` is YAML, dedented; the default consent is appended."""
        text = textwrap.dedent(front)
        if consent is not None:
            text = text.rstrip("\n") + "\n" + consent
        path = self.stories / f"{slug}.md"
        path.write_text(f"---\n{text.rstrip(chr(10))}\n---\n{textwrap.dedent(body)}", encoding="utf-8")
        return path

    @property
    def settings(self) -> StorySettings:
        return StorySettings(self.stories, self.photos, self.redact, "en", self.root / "mkdocs.yml", self.allow)

    def load(self, as_of: dt.date = AS_OF) -> Exhibition:
        return load_exhibition(self.settings, as_of)

    def mkdocs_yml(self, redact: list[str] | None = None) -> Path:
        """A minimal mkdocs.yml listing the plugin, with an empty docs folder."""
        (self.root / "docs").mkdir(exist_ok=True)
        (self.root / "docs" / "index.md").write_text("# Exhibition\n", encoding="utf-8")
        path = self.root / "mkdocs.yml"
        terms = ", ".join(f'"{t}"' for t in redact or [])
        path.write_text(
            "site_name: Test\ntheme:\n  name: mkdocs\n  highlightjs: false\n"
            f"plugins:\n  - anonymize:\n      redact: [{terms}]\n",
            encoding="utf-8",
        )
        return path
