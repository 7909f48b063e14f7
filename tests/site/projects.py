"""A fixture exhibition for the build, cache, check and CLI tests: five stories of every kind."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.dirty import scene
from tests.site.approvals import approve_all
from tests.stories.project import Project

PHOTO_NAME = "Zelimkhan-family/IMG_0042-zelimkhan.jpg"  # an original's name: often the person's


def write_project(root: Path, theme: str = "material", extra_plugin: str = "", approve: bool = True) -> Project:
    """Five stories: published with two photos (one behind a warning), text only, portrait only,
    Russian, and withdrawn; a project-wide redact term. Approved by a curator unless told not to."""
    project = Project(root)
    big = project.photos / PHOTO_NAME
    big.parent.mkdir(parents=True)
    Image.fromarray(scene(1800, 1200, seed=4)).save(big, quality=92)
    Image.fromarray(scene(640, 480, seed=5)).save(project.photos / "street.jpg")
    Image.fromarray(scene(700, 500, seed=6)).save(project.photos / "withdrawn.jpg")
    project.story(
        "zelimkhan-real-name",
        f"""\
        pseudonym: Amir
        title: A bridge in Argun
        photos:
          - file: {PHOTO_NAME}
            alt: A man seen from behind near Argun
            caption: Evening, Argun
          - file: street.jpg
            alt: A street at night
            content_warnings: [a place of detention]
        content_warnings: [violence]
        redact: [Zelimkhan, Argun]
        """,
        "My brother Zelimkhan drove me out of Argun.\n\nWe did not look back.\n",
    )
    project.story("lena", "pseudonym: Lena\nexcerpt: She wrote letters.\n", "Letters I kept.\n")
    project.story(
        "portrait-only",
        "pseudonym: Timur\nphotos:\n  - file: street.jpg\n    alt: A street at night\n",
        "Never to be published.\n",
        consent="consent:\n  portrait: true\n  testimony: false\n  given: 2024-01-01\n",
    )
    project.story("nadia", "pseudonym: Надя\nlanguage: ru\n", "Я жила в Грозном.\n")
    project.story(
        "gone",
        "pseudonym: Musa\nphotos:\n  - file: withdrawn.jpg\n    alt: A garden\n",
        "Withdrawn words of Musa.\n",
        consent="consent:\n  portrait: true\n  testimony: true\n  given: 2024-01-01\n  withdrawn: 2025-01-01\n",
    )
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Exhibition\n\n[Portraits](stories/index.md)\n", encoding="utf-8")
    theme_lines = {
        "material": "theme:\n  name: material\n  font: false\n",
        "mkdocs": "theme:\n  name: mkdocs\n  highlightjs: false\n",
    }.get(theme, f"theme:\n  name: {theme}\n")
    (root / "mkdocs.yml").write_text(
        f"site_name: Test exhibition\n{theme_lines}"
        f"plugins:\n  - search\n  - anonymize:\n      redact: [Grozny, Грозный]\n{extra_plugin}",
        encoding="utf-8",
    )
    if approve:
        approve_all(root / "mkdocs.yml")
    return project
