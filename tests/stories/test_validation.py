"""Bad story files: one problem per bad field, naming file and field, all of a run together."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from anonymize.errors import InputErrors
from tests.stories.project import CONSENT, Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def problems(project: Project) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        project.load()
    assert caught.value.exit_code == 2
    return [line.replace(str(project.root) + os.sep, "") for line in caught.value.lines()]


def test_a_valid_story_loads(project: Project) -> None:
    photo = project.photo("amir/bridge.jpg")
    project.story(
        "amir",
        f"""
        pseudonym: Amir
        title: The bridge at dusk
        language: en
        photos:
          - file: {photo}
            alt: A man seen from behind on a bridge at dusk
            caption: Montreal, 2019
            regions:
              - {{box: [12, 34, 8, 6], reason: tattoo}}
              - {{ellipse: [1, 2, 3, 4], reason: ring}}
        content_warnings: [violence]
        redact: [Zelimkhan, Аргун]
        allow: ["+1 514 555 0100"]
        """,
    )
    exhibition = project.load()
    (story,) = exhibition.stories
    assert story.slug == "amir" and story.pseudonym == "Amir" and story.title == "The bridge at dusk"
    assert story.testimony == "Words.\n" and story.content_warnings == ("violence",)
    (photo_out,) = story.photos
    assert photo_out.source == (project.photos / photo).resolve()
    assert [(r.region.describe(), r.reason) for r in photo_out.regions] == [
        ("box 12,34,8,6", "tattoo"),
        ("ellipse 1,2,3,4", "ring"),
    ]
    assert exhibition.exclusions == ()


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: x\n", "stories/s.md: pseudonym: missing (required)"),
        ("pseudonym: ''\n", "stories/s.md: pseudonym: is empty"),
        ("pseudonym: Yes\n", "stories/s.md: pseudonym: expected text, got true (put it in quotes)"),
        ("pseudonym: [a, b]\n", "stories/s.md: pseudonym: expected text, got a list of 2"),
        ("pseudonym: A\ntitel: x\n", "stories/s.md: titel: unknown field (did you mean 'title'?)"),
        ("pseudonym: A\nlanguage: no\n", "stories/s.md: language: expected text, got false (put it in quotes)"),
        ("pseudonym: A\nlanguage: english language\n", "stories/s.md: language: expected a language code"),
        ("pseudonym: A\ncontent_warnings: violence\n", "stories/s.md: content_warnings: expected a list"),
        ("pseudonym: A\nredact: [Zelimkhan, A]\n", "stories/s.md: redact[1]: too short to withhold safely"),
        ("pseudonym: A\nredact: [0712]\n", "stories/s.md: redact[0]: expected text, got 458 (put it in quotes)"),
        ("pseudonym: A\nphotos: [{alt: x}]\n", "stories/s.md: photos[0].file: missing (required)"),
        ("pseudonym: A\nphotos: [{file: p.jpg}]\n", "stories/s.md: photos[0].alt: missing (required)"),
        ("pseudonym: A\nphotos: [{file: p.jpg, alt: x, capton: y}]\n", "photos[0].capton: unknown field"),
        ("pseudonym: A\nphotos: [{file: p.jpg, alt: ''}]\n", "stories/s.md: photos[0].alt: is empty"),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, regions: [{box: [1, 2, 3], reason: r}]}]\n",
            "photos[0].regions[0].box: expected [x, y, width, height] in whole pixels, got a list of 3",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, regions: [{box: [1, 2, 0, 3], reason: r}]}]\n",
            "photos[0].regions[0].box: a box needs a positive width and height",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, regions: [{box: [1, 2, 3, 4]}]}]\n",
            "photos[0].regions[0].reason: missing (required)",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, regions: [{box: [1, 2, 3, 4], ellipse: [1, 2, 3, 4], "
            "reason: r}]}]\n",
            "photos[0].regions[0]: expected exactly one of box, ellipse, polygon, got 2",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, regions: [{polygon: [[1, 2], [3, 4]], reason: r}]}]\n",
            "photos[0].regions[0].polygon: expected a list of at least three [x, y] points",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x,regions: [{polygon: [[0, 0], [5, 5], [8, 8]], reason: r}]}]\n",
            "photos[0].regions[0].polygon: a polygon needs an area",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, background: fog}]\n",
            "photos[0].background: expected one of keep, blur",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, background: keep, subject: [[0, 0], [9, 0], [9, 9]]}]\n",
            "photos[0].subject: the people are outlined to blur",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, subject: [[[0, 0], [9, 0], [9, 9]], [[1, 1], [2]]]}]\n",
            "photos[0].subject[1]: expected a list of at least three [x, y] points",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, keep: [{box: [1, 2, 0, 4], reason: hair}]}]\n",
            "photos[0].keep[0].box: expected [x, y, width, height] as the report shows the region, got a list of 4",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, keep: [{box: [1, 2, 3, 4]}]}]\n",
            "photos[0].keep[0].reason: missing (required)",
        ),
        (
            "pseudonym: A\nphotos: [{file: p.jpg, alt: x, keep: [{ellipse: [1, 2, 3, 4], reason: r}]}]\n",
            "photos[0].keep[0].ellipse: unknown field (known: box, reason)",
        ),
        ("pseudonym: A\nphotos: [{file: missing.jpg, alt: x}]\n", "photos[0].file: no such file in"),
        ("pseudonym: A\nphotos: [{file: ../outside.jpg, alt: x}]\n", "photos[0].file: leaves"),
        ("pseudonym: A\nphotos: [{file: /etc/passwd, alt: x}]\n", "photos[0].file: must be a path inside"),
        ('pseudonym: A\nphotos: [{file: "a\\0b.jpg", alt: x}]\n', "photos[0].file: contains a control character"),
        ("pseudonym: A\nphotos: [{file: p.jpg, alt: x}, {file: ./p.jpg, alt: y}]\n", "photos[1].file: already listed"),
        ("pseudonym: A\nredact: [x1]\nredact: [Zelimkhan]\n", "stories/s.md: line 4: 'redact' appears twice"),
        ("pseudonym: A\n  bad: indent\n", "stories/s.md: line 3: mapping values are not allowed here"),
    ],
)
def test_front_matter_problems(project: Project, front: str, expected: str) -> None:
    project.photo("p.jpg")
    (project.root / "outside.jpg").write_bytes(b"x")
    project.story("s", front)
    assert any(expected in line for line in problems(project)), problems(project)


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        ("", "stories/s.md: consent: missing (required)"),
        ("consent: yes\n", "stories/s.md: consent: expected a mapping of portrait, testimony, given"),
        (
            "consent: {portrait: true, testimony: true, given: yesterday}\n",
            "stories/s.md: consent.given: expected a date (YYYY-MM-DD), got 'yesterday'",
        ),
        (
            "consent: {portrait: true, testimony: true, given: 2019-02-30}\n",
            "stories/s.md: consent.given: expected a date (YYYY-MM-DD), got '2019-02-30'",
        ),
        ("consent: {portrait: true, given: 2019-02-03}\n", "stories/s.md: consent.testimony: missing (required)"),
        (
            "consent: {portrait: maybe, testimony: true, given: 2019-02-03}\n",
            "stories/s.md: consent.portrait: expected true or false, got 'maybe'",
        ),
        (
            "consent: {portrait: true, testimony: true, given: 2019-02-03, expires: 2018-01-01}\n",
            "stories/s.md: consent.expires: 2018-01-01 is not after consent.given (2019-02-03)",
        ),
        (
            "consent: {portrait: true, testimony: true, given: 2019-02-03, withdrawn: soon}\n",
            "stories/s.md: consent.withdrawn: expected a date (YYYY-MM-DD), got 'soon'",
        ),
        (
            "consent: {portrait: true, testimony: true, given: 2019-02-03, revoked: 2020-01-01}\n",
            "stories/s.md: consent.revoked: unknown field",
        ),
    ],
)
def test_consent_problems(project: Project, consent: str, expected: str) -> None:
    project.story("s", "pseudonym: A\n" + consent, consent=None)
    assert any(expected in line for line in problems(project)), problems(project)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"pseudonym: A\n", "stories/s.md: no front matter"),
        (b"---\npseudonym: A\n", "stories/s.md: front matter is not closed"),
        (b"---\npseudonym: A\xff\n---\n", "stories/s.md: not UTF-8 text (line 2)"),
        (b"---\n- a list\n---\n", "stories/s.md: front matter: expected a mapping of pseudonym"),
        (b"---\n!!python/object:os.system x\n---\n", "stories/s.md: line 2: could not determine a constructor"),
        (b"---\ntitle: !!int abc\n---\n", "stories/s.md: front matter is not valid YAML: ValueError"),
        (b"---\ntitle: !!bool maybe\n---\n", "stories/s.md: front matter is not valid YAML: KeyError"),
        (b"---\ntitle: !!timestamp x\n---\n", "stories/s.md: front matter is not valid YAML"),
        (b"---\ntitle: " + b"1" * 5000 + b"\n---\n", "stories/s.md: front matter is not valid YAML: ValueError"),
        (b"---\ntitle: " + b"[" * 2000 + b"]" * 2000 + b"\n---\n", "stories/s.md: front matter is not valid YAML"),
    ],
)
def test_unreadable_files(project: Project, content: bytes, expected: str) -> None:
    (project.stories / "s.md").write_bytes(content)
    assert any(line.startswith(expected) for line in problems(project)), problems(project)


def test_all_problems_of_a_run_are_reported_together(project: Project) -> None:
    project.story("a", "pseudonym: A\ntitel: x\nphotos: [{file: nope.jpg}]\n")
    project.story("b", "pseudonym: B\n", consent="consent: {portrait: true, testimony: true, given: yesterday}\n")
    (project.stories / "c.md").write_text("no front matter", encoding="utf-8")
    found = problems(project)
    assert found == [
        "stories/a.md: titel: unknown field (did you mean 'title'?)",
        "stories/a.md: photos[0].alt: missing (required)",
        "stories/b.md: consent.given: expected a date (YYYY-MM-DD), got 'yesterday'",
        "stories/c.md: no front matter: a story starts with a line '---', its fields, then '---'",
    ]


def test_a_symlink_out_of_photos_is_refused(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.jpg"
    secret.write_bytes(b"x")
    (project.photos / "link.jpg").symlink_to(secret)
    project.story("s", "pseudonym: A\nphotos: [{file: link.jpg, alt: x}]\n")
    assert problems(project) == ["stories/s.md: photos[0].file: leaves photos/: 'link.jpg'"]


def test_project_terms_are_checked(project: Project) -> None:
    project.redact = ("Grozny", "x")
    project.story("s", "pseudonym: A\n")
    assert problems(project) == [
        "mkdocs.yml: plugins.anonymize.redact[1]: too short to withhold safely (at least 2 letters or digits)"
    ]


def test_files_starting_with_underscore_are_not_stories(project: Project) -> None:
    (project.stories / "_template.md").write_text("not a story", encoding="utf-8")
    (project.stories / "notes.txt").write_text("not a story", encoding="utf-8")
    project.story("s", "pseudonym: A\n")
    assert [story.slug for story in project.load().stories] == ["s"]


def test_input_is_untouched(project: Project) -> None:
    path = project.story("s", "pseudonym: A\nredact: [Zelimkhan]\n", body="Zelimkhan was here.\n")
    before = path.read_bytes(), path.stat().st_mtime_ns
    assert project.load().stories[0].testimony == "\\[name withheld\\] was here.\n"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_default_consent_is_valid() -> None:
    assert "given" in CONSENT


def test_every_problem_of_a_story_comes_in_one_run(project: Project) -> None:
    """A wrong field does not hide a taken pseudonym, nor a key given twice the rest."""
    project.story("a", "pseudonym: Amir\n")
    project.story("b", "pseudonym: amir\ntitle: [1, 2]\n")
    project.story("c", "pseudonym: Amir\nredact: [Xa]\nredact: [Ya]\nexcerpt: 5\n")
    assert problems(project) == [
        "stories/b.md: title: expected text, got a list of 2",
        "stories/b.md: pseudonym: already used by stories/a.md",
        "stories/c.md: line 4: 'redact' appears twice",
        "stories/c.md: excerpt: expected text, got 5 (put it in quotes)",
        "stories/c.md: pseudonym: already used by stories/a.md",
    ]
