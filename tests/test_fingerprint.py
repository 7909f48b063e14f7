"""Approval fingerprints: what a curator could see changes them, and says where; nothing else does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymize.config import ImageSettings, TextSettings
from anonymize.errors import InputError
from anonymize.fingerprint import EARLIER_RELEASE, Fingerprint, PhotoFacts, approval_settings
from anonymize.review import APPROVED, Decision, Reviews, State, status

WINDOW = [(400, 100), (700, 100), (700, 900), (400, 900)]


def facts(**changes: object) -> PhotoFacts:
    base = PhotoFacts(
        "solid",
        "keep",
        (1600, 1200),
        {"face": ((100, 100, 300, 320),), "text": ((500, 800, 700, 860), (900, 50, 1000, 90))},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def print_of(photo: PhotoFacts, **settings: object) -> Fingerprint:
    values = approval_settings(ImageSettings()) | settings
    return Fingerprint({"testimony": "aaaa", "photo a.jpg": "bbbb"}, values, {"a.jpg": photo})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # The last pixels of a box differ between processors and releases: nothing a curator sees.
        (facts(found={"face": ((101, 99, 302, 320),), "text": ((900, 51, 1001, 90), (498, 800, 700, 862))}), []),
        (facts(found={"face": ((100, 100, 300, 320),)}), ["2 lines of text fewer"]),
        (
            facts(found={"face": ((100, 100, 300, 320), (1200, 40, 1300, 150)), "text": facts().found["text"]}),
            ["1 face more"],
        ),
        (facts(found={"face": ((100, 100, 340, 320),), "text": facts().found["text"]}), ["1 face moved or resized"]),
        (
            facts(found={"possible face": ((100, 100, 300, 320),), "text": facts().found["text"]}),
            ["1 face fewer", "1 possible face more"],
        ),
        (facts(style="blur"), ["style solid → blur"]),
        (facts(background="blur"), ["background keep → blur"]),
    ],
)
def test_a_photo_changes_by_what_its_redactions_cover(now: PhotoFacts, expected: list[str]) -> None:
    assert now.changes(facts()) == expected


def test_the_people_kept_sharp_change_by_the_area_they_cover() -> None:
    before = facts(background="blur", people=(tuple(WINDOW),))
    jitter = tuple((x + (2 if i % 2 else -1), y + 1) for i, (x, y) in enumerate(WINDOW))
    assert facts(background="blur", people=(jitter,)).changes(before) == []
    wider = ((400, 100), (900, 100), (900, 900), (400, 900))
    assert facts(background="blur", people=(wider,)).changes(before) == ["the people kept sharp changed"]
    assert facts(background="blur").changes(before) == ["the people kept sharp changed"]


def test_every_change_names_its_part() -> None:
    before = print_of(facts())
    after = Fingerprint(
        {"testimony": "cccc", "photo a.jpg": "bbbb", "photo b.jpg": "dddd"},
        dict(before.settings) | {"min_text": 8, "style": "blur"},
        {"a.jpg": facts(found={})},
    )
    assert after.changes(before) == [
        "testimony changed",
        "photo b.jpg added",
        "settings changed: style solid → blur",
        "settings changed: min_text 12 → 8",
        "photo a.jpg: 1 face fewer",
        "photo a.jpg: 2 lines of text fewer",
    ]
    assert print_of(facts(), text=False).changes(before) == ["settings changed: text on → off"]
    assert before.changes(print_of(facts())) == []


def test_no_library_version_reaches_the_fingerprint() -> None:
    values = approval_settings(ImageSettings(text=TextSettings(min_text=8)))
    assert values["min_text"] == 8
    shown = repr(print_of(facts(), **values).to_dict())
    assert not re.search(r"onnx|pillow|opencv|numpy|model|\d+\.\d+", shown, re.IGNORECASE), shown


def test_a_decision_of_an_earlier_release_waits_for_review_with_the_reason() -> None:
    earlier = Fingerprint({"testimony": "aaaa", "settings": "eeee"}, earlier=True)
    state = status(print_of(facts()), Decision(APPROVED, earlier, dt.date(2026, 11, 21)))
    assert (state.state, state.changes) == (State.NEEDS_REVIEW, (EARLIER_RELEASE,))
    assert state.reason == f"approved on 2026-11-21, since changed: {EARLIER_RELEASE}"


boxes = st.lists(
    st.tuples(*[st.integers(0, 5000)] * 4).map(
        lambda b: (min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3]))
    ),
    max_size=6,
)
outlines = st.lists(
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 5000)), min_size=3, max_size=12), max_size=3
)


@settings(deadline=None)  # the first example writes and parses YAML cold
@given(
    faces=boxes,
    lines=boxes,
    people=outlines,
    min_text=st.integers(6, 400),
    style=st.sampled_from(["solid", "blur", "pixelate"]),
)
def test_a_decision_reads_back_from_reviews_yml_as_it_was_written(
    tmp_path_factory: pytest.TempPathFactory,
    faces: list[tuple[int, int, int, int]],
    lines: list[tuple[int, int, int, int]],
    people: list[list[tuple[int, int]]],
    min_text: int,
    style: str,
) -> None:
    photo = PhotoFacts(
        style,
        "blur" if people else "keep",
        (5000, 3000),
        {reason: tuple(sorted(b)) for reason, b in (("face", faces), ("text", lines)) if b},
        tuple(tuple(outline) for outline in people),
    )
    printed = print_of(photo, min_text=min_text)
    path = tmp_path_factory.mktemp("reviews") / "reviews.yml"
    Reviews(path).record("amir", Decision(APPROVED, printed, dt.date(2026, 12, 1), "A curator"))
    read = Reviews.load(path).decisions["amir"].fingerprint
    assert read == printed and read.digest == printed.digest
    assert status(read, Decision(APPROVED, printed, dt.date(2026, 12, 1))).state == State.PUBLISHED


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ("{x: 1}", "amir.photos.x: expected a mapping with style, background, size and found"),
        (
            "{x: {style: solid, background: keep, size: [1], found: {}}}",
            "amir.photos.x: size: expected [width, height]",
        ),
        (
            "{x: {style: solid, background: keep, size: [4, 3], found: {face: [[1, 2, 3]]}}}",
            "amir.photos.x: found.face: expected a list of [x0, y0, x1, y1]",
        ),
        (
            "{x: {style: solid, background: blur, size: [4, 3], found: {}, people: ['1,2 3']}}",
            "amir.photos.x: people: expected lines of x,y pairs",
        ),
    ],
)
def test_a_damaged_fingerprint_is_refused_naming_the_field(tmp_path: Path, photos: str, message: str) -> None:
    path = tmp_path / "reviews.yml"
    entry = f"{{decision: approved, date: 2026-12-01, fingerprint: x, parts: {{}}, settings: {{}}, photos: {photos}}}"
    path.write_text(f"amir: {entry}\n")
    with pytest.raises(InputError) as failed:
        Reviews.load(path)
    assert str(failed.value) == f"{path}: {message}"
