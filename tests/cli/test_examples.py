"""The pictures the README's and ``--help``'s examples name are pictures the sample has.

A first step towards running the README's commands themselves (issue 25): the first command a
newcomer copied named a photo that did not exist.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from anonymize.cli import main

ROOT = Path(__file__).parents[2]
PHOTO = re.compile(r"(?<![\w/.])photos/[\w./-]+\.(?:jpe?g|png|tiff?|webp|heic|avif|jxl|dng)\b", re.IGNORECASE)


def _named(text: str) -> set[str]:
    return set(PHOTO.findall(text))


def test_every_photo_the_readme_names_exists() -> None:
    named = _named((ROOT / "README.md").read_text(encoding="utf-8"))
    assert named, "the pattern finds nothing: it no longer matches how the README names photos"
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_every_photo_a_help_example_names_exists() -> None:
    runner = CliRunner()
    named: set[str] = set()
    for command in main.list_commands(None):  # type: ignore[arg-type]
        named |= _named(runner.invoke(main, [command, "--help"]).output)
    assert named
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []
