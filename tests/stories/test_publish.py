"""What a publishable story holds: withheld terms everywhere, contact details stopped until resolved."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from anonymize.errors import InputError, InputErrors
from anonymize.review import APPROVED, Reviews, record_decision
from anonymize.stories.model import UNDECIDED
from anonymize.stories.publish import load_exhibition
from tests.stories.project import AS_OF, Project

NAMES = ["Zelimkhan", "Зелимхан", "Аргун", "Grozny"]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project(tmp_path)
    project.photo("a.jpg")
    project.redact = ("Grozny",)
    return project


def problems(project: Project) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        project.load()
    return [line.replace(str(project.root) + os.sep, "") for line in caught.value.lines()]


def strings(value: object) -> Iterator[str]:
    """Every string a value holds, through dataclasses, mappings and sequences."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name not in ("withheld", "withheld_forms", "names"):  # name the terms: for the local report only
                yield from strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def test_terms_are_withheld_in_every_published_field(project: Project) -> None:
    project.story(
        "s",
        """
        pseudonym: Amir
        title: Leaving Аргун
        photos:
          - file: a.jpg
            alt: Zelimkhan's jacket on a chair
            caption: Grozny, 2019
        content_warnings: [what they did in Аргуне]
        redact: [Zelimkhan, Зелимхан, Аргун]
        """,
        body="Я из Аргуна. ZELIMKHAN drove; Зелимхану было страшно.\n\nGROZNY burned.\n",
    )
    (story,) = project.load().stories
    published = " ".join(strings(story))
    for name in NAMES:
        assert not re.search(name[:4], published, re.IGNORECASE), name
    assert story.withheld_forms == {
        "Аргун": ("Аргун", "Аргуне", "Аргуна"),
        "Zelimkhan": ("Zelimkhan", "ZELIMKHAN"),
        "Зелимхан": ("Зелимхану",),
        "Grozny": ("Grozny", "GROZNY"),
    }
    assert story.title == "Leaving [name withheld]"
    assert story.photos[0].alt == "[name withheld]'s jacket on a chair"
    assert story.photos[0].caption == "[name withheld], 2019"
    assert story.content_warnings == ("what they did in [name withheld]",)
    assert story.testimony == (
        "Я из \\[name withheld\\]. \\[name withheld\\] drove; \\[name withheld\\] было страшно.\n\n"
        "\\[name withheld\\] burned.\n"
    )
    assert story.withheld == {"Zelimkhan": 2, "Зелимхан": 1, "Аргун": 3, "Grozny": 2}


def test_the_mark_follows_the_story_language(project: Project) -> None:
    project.story("s", "pseudonym: A\nlanguage: ru\nredact: [Аргун]\n", body="Я из Аргуна.\n")
    assert project.load().stories[0].testimony == "Я из \\[имя скрыто\\].\n"


@pytest.mark.parametrize(
    ("body", "location", "kind"),
    [
        ("Words.\n\nWrite to amir@mail.ru now.\n", "line 11, column 10", "e-mail address (12 characters)"),
        ("Call +7 928 123-45-67.\n", "line 9, column 6", "phone number (16 characters)"),
        ("My page: vk.com/id1234\n", "line 9, column 10", "social profile link (13 characters)"),
        ("[me](https://t.me/amirk)\n", "line 9, column 6", "social profile link (18 characters)"),
        ("Find me, @amir_k.\n", "line 9, column 10", "handle (7 characters)"),
        ("<sgnl://signal.me/#p/+79281234567>\n", "line 9, column 2", "messenger link (32 characters)"),
        # the location is in the original file, after terms before it were withheld
        ("Zelimkhan, Zelimkhan: amir@mail.ru\n", "line 9, column 23", "e-mail address (12 characters)"),
    ],
)
def test_contact_details_stop_the_build(project: Project, body: str, location: str, kind: str) -> None:
    project.story("s", "pseudonym: A\nredact: [Zelimkhan]\n", body=body)
    assert problems(project) == [
        f"stories/s.md: testimony, {location}: {kind}: add it to 'redact' to withhold it or to 'allow' to publish it"
    ]
    lines = (project.stories / "s.md").read_text(encoding="utf-8").split("\n")
    line, column = (int(n) for n in re.findall(r"\d+", location))
    assert lines[line - 1][column - 1] in "a+v@hs"


@pytest.mark.parametrize(
    ("front", "field"),
    [
        ("title: Write to amir@mail.ru\n", "title, column 10"),
        ("photos: [{file: a.jpg, alt: 'Mine, @amir_k'}]\n", "photos[0].alt, column 7"),
        ("photos: [{file: a.jpg, alt: x, caption: 'tel. 8 928 123 45 67'}]\n", "photos[0].caption, column 6"),
        ("content_warnings: ['see t.me/amir']\n", "content_warnings[0], column 5"),
    ],
)
def test_contact_details_in_fields(project: Project, front: str, field: str) -> None:
    project.story("s", "pseudonym: A\n" + front)
    (line,) = problems(project)
    assert line.startswith(f"stories/s.md: {field}: ")


def test_a_contact_withheld_or_allowed_passes(project: Project) -> None:
    body = "Write to amir@mail.ru or help@example.org.\n"
    project.story("s", "pseudonym: A\nredact: [amir@mail.ru]\nallow: [HELP@example.org]\n", body=body)
    (story,) = project.load().stories
    assert story.testimony == "Write to \\[name withheld\\] or help@example.org.\n"


def test_an_allowed_string_allows_only_itself(project: Project) -> None:
    project.story("s", "pseudonym: A\nallow: [help@example.org]\n", body="help@example.org, help@example.org.ru\n")
    (line,) = problems(project)
    assert "testimony, line 9, column 19: e-mail address" in line


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Zelim**khan** was there.\n", "redact item 1 of stories/s.md survives in the rendered text"),
        ("&#90;elimkhan was there.\n", "redact item 1 of stories/s.md survives in the rendered text"),
        ("G<b></b>rozny burned.\n", "redact item 1 of mkdocs.yml survives in the rendered text"),
        ("amir&#64;mail.ru\n", "e-mail address in the rendered text"),
        ("![me](https://example.org/me.jpg)\n", "<img> is not allowed in a testimony"),
        ('<iframe src="https://example.org"></iframe>\n', "<iframe> is not allowed in a testimony"),
        ("[click](javascript:alert(1))\n", "a link of this kind is not allowed"),
        ("[click](java&#9;script:alert(1))\n", "a link of this kind is not allowed"),
        ('<a href=" java&#x0A;script:alert(1)">x</a>\n', "a link of this kind is not allowed"),
        ("[x](data:text/html,hi)\n", "a link of this kind is not allowed"),
        ("- " * 1000 + "deep\n", "nested too deeply to render"),
    ],
)
def test_the_rendered_testimony_is_checked(project: Project, body: str, expected: str) -> None:
    project.story("s", "pseudonym: A\nredact: [Zelimkhan]\n", body=body)
    assert any(expected in line for line in problems(project)), problems(project)


def test_links_to_web_pages_are_allowed(project: Project) -> None:
    project.story("s", "pseudonym: A\n", body="Read [the report](https://example.org/report) and [more](#more).\n")
    assert project.load().stories[0].testimony is not None


def test_the_pseudonym_must_not_be_a_redact_term(project: Project) -> None:
    project.story("s", "pseudonym: Grozny\n")
    assert problems(project) == [
        "stories/s.md: pseudonym: matches redact item 1 of mkdocs.yml: the pseudonym is published as written; "
        "choose another"
    ]


def test_a_name_one_story_lists_is_withheld_in_every_story(project: Project) -> None:
    project.story("a", "pseudonym: A\nredact: [Зелимхан]\n", body="Мой брат Зелимхан.\n")
    project.story("b", "pseudonym: B\n", body="I met Zelimkhan and Зелимхана there.\n")
    stories = {story.slug: story for story in project.load().stories}
    assert stories["b"].testimony == "I met \\[name withheld\\] and \\[name withheld\\] there.\n"
    assert stories["b"].withheld == {"Зелимхан": 2}


def test_a_withdrawn_story_still_withholds_its_names(project: Project) -> None:
    withdrawn = "consent: {portrait: true, testimony: true, given: 2024-01-01, withdrawn: 2025-01-01}\n"
    project.story("a", "pseudonym: A\nredact: [Ruslan]\n", consent=withdrawn)
    project.story("b", "pseudonym: B\n", body="Ruslan's letter.\n")
    (story,) = project.load().stories
    assert story.testimony == "\\[name withheld\\]'s letter.\n"


def test_pseudonyms_are_unique(project: Project) -> None:
    project.story("a", "pseudonym: Amir\n")
    project.story("b", "pseudonym: AMIR\n")
    assert problems(project) == ["stories/b.md: pseudonym: already used by " + "stories/a.md"]


def test_regions_name_their_story(project: Project) -> None:
    project.story("s", "pseudonym: A\nphotos: [{file: a.jpg, alt: x, regions: [{box: [1, 2, 3, 4], reason: scar}]}]\n")
    (request,) = project.load().stories[0].photos[0].regions
    assert request.reason == "scar" and request.source.endswith("stories/s.md photos[0]")


def test_a_name_nobody_listed_stops_the_build(project: Project) -> None:
    project.story(
        "s",
        """
        pseudonym: Amir
        title: Letters to Ruslan
        photos:
          - file: a.jpg
            alt: A jacket on a chair
            caption: The house in Шали
        """,
        body="My cousin Ruslan stayed.\n\nМы жили у Мартановых.\n",
    )
    assert problems(project) == [
        "stories/s.md: title, column 12: 'Ruslan' looks like a first name nobody listed: add it to 'redact' to "
        "withhold it or to 'allow' to publish it",
        "stories/s.md: photos[0].caption, column 14: 'Шали' looks like a name or place nobody listed: add it to "
        "'redact' to withhold it or to 'allow' to publish it",
        "stories/s.md: testimony, line 14, column 11: 'Ruslan' looks like a first name nobody listed: add it to "
        "'redact' to withhold it or to 'allow' to publish it",
        "stories/s.md: testimony, line 16, column 11: 'Мартановых' looks like a family name nobody listed: add it "
        "to 'redact' to withhold it or to 'allow' to publish it",
    ]


def test_a_listed_or_allowed_name_passes_and_is_reported(project: Project) -> None:
    project.redact = ("Шали",)
    project.allow = ("Moscow",)
    project.story("a", "pseudonym: Amir\nredact: [Ruslan]\nallow: [Мартановы]\n", body="Ruslan went to Moscow.\n")
    project.story("b", "pseudonym: Lena\n", body="Then Amir and Ruslan came from Шали. Я знаю Мартановых.\n")
    # b lists nothing: Ruslan is a's, Шали the project's, Amir a pseudonym; a's allow is a's own.
    assert [line.split(": ", 2)[2][:30] for line in problems(project)] == ["'Мартановых' looks like a fami"]
    project.story(
        "b", "pseudonym: Lena\nallow: [Мартановы]\n", body="Then Amir and Ruslan came from Шали. Я знаю Мартановых.\n"
    )
    stories = {story.slug: story for story in project.load().stories}

    def decisions(slug: str) -> list[tuple[str, str]]:
        return [(n.word, n.decision.replace(f"{project.root}/", "")) for n in stories[slug].names]

    assert decisions("a") == [
        ("Ruslan", "withheld (redact item 1 of stories/a.md)"),
        ("Moscow", "published as written (allow)"),
    ]
    assert decisions("b") == [
        ("Amir", "published as written (a pseudonym)"),
        ("Ruslan", "withheld (redact item 1 of stories/a.md)"),
        ("Шали", "withheld (redact item 1 of mkdocs.yml)"),
        ("Мартановых", "published as written (allow)"),
    ]


def test_a_draft_records_a_name_nobody_listed_as_undecided(project: Project) -> None:
    project.story("s", "pseudonym: A\n", body="My cousin Ruslan stayed.\n")
    (story,) = load_exhibition(project.settings, AS_OF, draft=True).stories
    assert [(n.word, n.decision) for n in story.names] == [("Ruslan", UNDECIDED)]
    assert story.undecided == 1 and story.testimony == "My cousin Ruslan stayed.\n"


def test_a_story_with_an_undecided_name_cannot_be_approved(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    names = [{"field": "testimony, line 9, column 11", "word": "Ruslan", "decision": UNDECIDED}]
    entry = {"story": "s", "file": "stories/s.md", "fingerprint": {"digest": "x"}, "inputs": {}, "names": names}
    report.write_text(json.dumps({"stories": [entry]}), encoding="utf-8")
    with pytest.raises(InputError, match=r"'Ruslan'.* before approving"):
        record_decision(tmp_path, report, Reviews(tmp_path / "reviews.yml"), "s", APPROVED, AS_OF)
