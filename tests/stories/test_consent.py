"""The consent gate around the ``as_of`` day: given, expired, withdrawn, portrait or testimony only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from anonymize.stories.consent import consent_as_of
from anonymize.stories.schema import Consent
from tests.stories.project import AS_OF, Project

DAY = dt.timedelta(days=1)


def consent(dates: dict[str, dt.date], portrait: bool = True, testimony: bool = True) -> str:
    lines = [f"consent:\n  portrait: {str(portrait).lower()}\n  testimony: {str(testimony).lower()}\n"]
    lines += [f"  {name}: {value.isoformat()}\n" for name, value in dates.items()]
    return "".join(lines)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project(tmp_path)
    project.photo("a.jpg")
    return project


def publish(project: Project, block: str) -> tuple[list[str], list[str]]:
    """Publish one story with one photo; return what is published and what is excluded."""
    project.story("s", "pseudonym: S\nphotos: [{file: a.jpg, alt: x}]\n", consent=block)
    exhibition = project.load(AS_OF)
    published = []
    for story in exhibition.stories:
        published += ["testimony"] * (story.testimony is not None) + [f"photo {p.file}" for p in story.photos]
    return published, [f"{e.part}: {e.reason}" for e in exhibition.exclusions]


@pytest.mark.parametrize(
    ("dates", "published", "excluded"),
    [
        ({"given": AS_OF}, ["testimony", "photo a.jpg"], []),
        ({"given": AS_OF + DAY}, [], [f"story: consent not given until {AS_OF + DAY} (as of {AS_OF})"]),
        ({"given": AS_OF - 9 * DAY, "expires": AS_OF + DAY}, ["testimony", "photo a.jpg"], []),
        ({"given": AS_OF - 9 * DAY, "expires": AS_OF}, [], [f"story: consent expired on {AS_OF} (as of {AS_OF})"]),
        ({"given": AS_OF - 9 * DAY, "withdrawn": AS_OF - DAY}, [], [f"story: consent withdrawn on {AS_OF - DAY}"]),
        # once withdrawn, never published, even as of a day before the withdrawal
        ({"given": AS_OF - 9 * DAY, "withdrawn": AS_OF + DAY}, [], [f"story: consent withdrawn on {AS_OF + DAY}"]),
    ],
)
def test_dates(project: Project, dates: dict[str, dt.date], published: list[str], excluded: list[str]) -> None:
    assert publish(project, consent(dates)) == (published, excluded)


def test_testimony_only_is_published_without_photos(project: Project) -> None:
    assert publish(project, consent({"given": AS_OF}, portrait=False)) == (
        ["testimony"],
        ["photo a.jpg: no consent to publish portraits"],
    )


def test_portrait_only_is_published_without_testimony(project: Project) -> None:
    assert publish(project, consent({"given": AS_OF}, testimony=False)) == (
        ["photo a.jpg"],
        ["testimony: no consent to publish the testimony"],
    )


def test_neither_publishes_nothing(project: Project) -> None:
    assert publish(project, consent({"given": AS_OF}, portrait=False, testimony=False)) == (
        [],
        ["story: consent covers neither portrait nor testimony"],
    )


def test_portrait_consent_without_photos_leaves_nothing(project: Project) -> None:
    project.story("s", "pseudonym: S\n", consent=consent({"given": AS_OF}, testimony=False))
    exhibition = project.load()
    assert exhibition.stories == ()
    assert [(e.part, e.reason) for e in exhibition.exclusions] == [
        ("testimony", "no consent to publish the testimony"),
        ("story", "nothing left to publish"),
    ]


def test_a_withdrawn_story_needs_only_its_consent(project: Project) -> None:
    """Photos deleted at the person's request, fields half-removed: the build goes on."""
    project.story(
        "gone",
        "pseudonym: 42\nphotos: [{file: deleted.jpg}]\nnotes: removed\n",
        consent=consent({"given": AS_OF - 9 * DAY, "withdrawn": AS_OF - DAY}),
    )
    exhibition = project.load()
    assert exhibition.stories == ()
    assert [e.part for e in exhibition.exclusions] == ["story"]


def test_a_photo_shared_with_a_withdrawn_story_is_withdrawn_too(project: Project) -> None:
    """A group portrait listed in two stories: one person's withdrawal takes it down everywhere."""
    project.story(
        "gone", "pseudonym: G\nphotos: [{file: a.jpg, alt: x}]\n", consent=consent({"withdrawn": AS_OF, "given": AS_OF})
    )
    project.story("kept", "pseudonym: K\nphotos: [{file: ./a.jpg, alt: x}]\n", consent=consent({"given": AS_OF}))
    exhibition = project.load()
    (kept,) = exhibition.stories
    assert kept.slug == "kept" and kept.photos == () and kept.testimony is not None
    reasons = {(e.slug, e.part): e.reason for e in exhibition.exclusions}
    assert reasons[("kept", "photo ./a.jpg")].startswith("also in ")
    assert reasons[("kept", "photo ./a.jpg")].endswith("gone.md: consent withdrawn on 2026-06-01")


def test_a_photo_shared_with_a_story_without_portrait_consent_is_withheld(project: Project) -> None:
    project.story(
        "text", "pseudonym: T\nphotos: [{file: a.jpg, alt: x}]\n", consent=consent({"given": AS_OF}, portrait=False)
    )
    project.story("kept", "pseudonym: K\nphotos: [{file: a.jpg, alt: x}]\n", consent=consent({"given": AS_OF}))
    kept = next(s for s in project.load().stories if s.slug == "kept")
    assert kept.photos == ()


@pytest.mark.parametrize(
    ("as_of", "story"),
    [
        (dt.date(2019, 5, 1), "consent not given until 2019-05-02 (as of 2019-05-01)"),
        (dt.date(2019, 5, 2), None),
        (dt.date(2027, 5, 1), None),
        (dt.date(2027, 5, 2), "consent expired on 2027-05-02 (as of 2027-05-02)"),
    ],
)
def test_decide(as_of: dt.date, story: str | None) -> None:
    decision = consent_as_of(Consent(True, False, dt.date(2019, 5, 2), dt.date(2027, 5, 2)), as_of)
    assert decision.story == story
    if story is None:
        assert decision.portrait is None and decision.testimony == "no consent to publish the testimony"
