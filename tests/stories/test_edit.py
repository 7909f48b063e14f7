"""Story edits change only the lines they must: comments, order, quoting and testimony stay the author's."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymize.stories.edit import (
    AddAllowTerm,
    AddKeep,
    AddRedactTerm,
    AddRegion,
    EditError,
    RemoveKeep,
    SetBackground,
    SetSubject,
    StaleStory,
    edit_story,
    scalar,
    story_sha256,
)
from anonymize.stories.load import read_story

STORY = """\
---
# Written by the artist. Keep this comment.
pseudonym: 'Amir'   # quoted on purpose
photos:
  - file: a.jpg
    alt: "A man, from behind"
    # the tattoo is covered below
    regions:
      - {box: [10, 20, 30, 40], reason: tattoo}
  - file: b.jpg
    alt: A street
    subject: [[1, 1], [90, 1],
              [90, 90]]
consent: {portrait: true, testimony: true, given: 2024-01-01}
redact:
  - Zelimkhan   # his brother
---
My brother Zelimkhan.   \n\nTrailing spaces, a tab\there, and no newline at the end."""


@pytest.fixture
def story(tmp_path: Path) -> Path:
    path = tmp_path / "amir.md"
    path.write_bytes(STORY.encode())
    return path


def _changed(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


@pytest.mark.parametrize(
    ("edit", "removed", "added"),
    [
        (AddRegion("a.jpg", "box", (1, 2, 3, 4), "a tag"), [], ["      - {box: [1, 2, 3, 4], reason: a tag}\n"]),
        (
            AddRegion("b.jpg", "polygon", ((1, 2), (30, 4), (5, 60)), "sign: Argun"),
            [],
            ["    regions:\n", '      - {polygon: [[1, 2], [30, 4], [5, 60]], reason: "sign: Argun"}\n'],
        ),
        (AddKeep("b.jpg", (5, 6, 7, 8), "lamp"), [], ["    keep:\n", "      - {box: [5, 6, 7, 8], reason: lamp}\n"]),
        (SetBackground("a.jpg", "blur"), [], ["    background: blur\n"]),
        (
            SetSubject("b.jpg", ((0, 0), (9, 0), (9, 9))),
            ["    subject: [[1, 1], [90, 1],\n", "              [90, 90]]\n"],
            ["    subject: [[0, 0], [9, 0], [9, 9]]\n"],
        ),
        (AddRedactTerm("Argun"), [], ["  - Argun\n"]),
        (AddRedactTerm("null"), [], ['  - "null"\n']),
        (AddAllowTerm("Moscow"), [], ["allow: [Moscow]\n"]),
    ],
)
def test_an_edit_adds_its_lines_and_leaves_every_other_byte(
    story: Path, edit: object, removed: list[str], added: list[str]
) -> None:
    before = story.read_text(encoding="utf-8")
    edit_story(story, edit, story_sha256(story))  # type: ignore[arg-type]
    after = story.read_text(encoding="utf-8")
    assert _changed(before, after) == (removed, added)
    assert after.endswith(before.split("\n---\n", 1)[1])  # the testimony, byte for byte
    assert read_story(story).body == STORY.split("\n---\n", 1)[1]


def test_a_keep_taken_back_goes_with_its_key_when_it_was_the_last(story: Path) -> None:
    before = story.read_text(encoding="utf-8")
    edit_story(story, AddKeep("a.jpg", (5, 6, 7, 8), "a lamp"))
    edit_story(story, AddKeep("a.jpg", (50, 6, 7, 8), "a plant"))
    edit_story(story, RemoveKeep("a.jpg", (5, 6, 7, 8)))
    data = read_story(story).data
    assert isinstance(data, dict)
    assert data["photos"][0]["keep"] == [{"box": [50, 6, 7, 8], "reason": "a plant"}]
    edit_story(story, RemoveKeep("a.jpg", (50, 6, 7, 8)))
    assert story.read_text(encoding="utf-8") == before
    with pytest.raises(EditError, match=r"no keep with the box \[50, 6, 7, 8\] in this story"):
        edit_story(story, RemoveKeep("a.jpg", (50, 6, 7, 8)))


def test_a_file_changed_since_it_was_shown_is_not_overwritten(story: Path) -> None:
    shown = story_sha256(story)
    story.write_bytes(STORY.replace("Amir", "Amira").encode())
    with pytest.raises(StaleStory, match=r"amir\.md: changed on disk since it was shown: nothing was written"):
        edit_story(story, AddRedactTerm("Argun"), shown)
    assert story.read_bytes() == STORY.replace("Amir", "Amira").encode()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (AddRegion("a.jpg", "box", (1, 2, 0, 4), "x"), r"photos\[0\]\.regions\[1\]\.box: .*positive width"),
        (AddRegion("nope.jpg", "box", (1, 2, 3, 4), "x"), "no nope.jpg in this story"),
        (SetBackground("a.jpg", "sepia"), r"photos\[0\]\.background: expected one of"),
    ],
)
def test_a_change_the_story_would_refuse_is_not_written(story: Path, edit: object, message: str) -> None:
    with pytest.raises(EditError, match=message):
        edit_story(story, edit)  # type: ignore[arg-type]
    assert story.read_bytes() == STORY.encode()


def test_windows_line_endings_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    original = "\ufeff" + STORY.replace("\n", "\r\n")
    path.write_bytes(original.encode())
    edit_story(path, AddRegion("a.jpg", "box", (1, 2, 3, 4), "x"))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.decode().replace("      - {box: [1, 2, 3, 4], reason: x}\r\n", "") == original


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_any_reason_or_word_reads_back_as_written(text: str) -> None:
    assert yaml.safe_load(f"[{scalar(text)}]") == [text]
    assert yaml.safe_load(f"{{reason: {scalar(text)}}}") == {"reason": text}
