"""Likely names nobody listed: names of people and places, in English and Russian, and no other word."""

from __future__ import annotations

import pytest

from anonymize.stories.names import likely_names


def names(text: str, title: bool = False) -> list[str]:
    return [name.word for name in likely_names(text, title=title)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # capitalised in the middle of a sentence
        ("my cousin Ruslan came back in Шали with the Мартановы.", ["Ruslan", "Шали", "Мартановы"]),
        ("We met Aslan's sister near the Kremlin.", ["Aslan", "Kremlin"]),
        ("Я видел Руслана у Мадины. Мы поехали к Мартановым.", ["Руслана", "Мадины", "Мартановым"]),
        ("Потом пришла Вера, а с ней Роза.", ["Вера", "Роза"]),  # names that are words, capitalised
        ("my friend Said said nothing", ["Said"]),  # a name in Russian too (Саид)
        # opening a sentence: a name the dictionaries know as one, or nobody knows
        ("Zelimkhan drove. Adam stayed.", ["Zelimkhan", "Adam"]),
        ("Зелимхан уехал. Руслан остался.", ["Зелимхан", "Руслан"]),
        ("- Ruslan drove.\n- Nobody knew.", ["Ruslan"]),
        # a wrapped line goes on with its sentence: the capital is the name's
        ("we drove all night to\nGudermes and back", ["Gudermes"]),
        # after a title or an address abbreviated with a full stop, the sentence goes on
        ("We met Mr. Kadyrov there.", ["Kadyrov"]),
        ("then through Moscow to Berlin", ["Moscow", "Berlin"]),  # Berlin, a carriage to Webster
        ("Мы жили в г. Шали на ул. Мира.", ["Шали", "Мира"]),
    ],
)
def test_names_are_found(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The night they came we left. Nobody knew. Today I work in a bakery.",
        "I'm sure I'd go, and I said so. The LGBT people, the NGO and the UN.",
        "It was Monday in June, in the XIX century. Internet was down. Letters came.",
        "We spoke Russian at home and Chechen with Grandmother.",
        "## The Night They Came\n\nWe Left Everything Behind.",
        "Меня зовут не так. Когда за мной пришли, подруга отвела меня домой. Вы знаете, и Вам скажу.",
        "— Пора, — сказал он. «Мы едем», — ответила она. ФСБ и МВД.",
        "He said: “Wait for me.” *Nobody* came.\n\n1. First we ran.\n2. Then we hid.",
    ],
)
def test_ordinary_words_are_not_names(text: str) -> None:
    assert names(text) == []


def test_every_word_of_a_title_opens_a_sentence() -> None:
    assert names("Letters I Did Not Send", title=True) == []
    assert names("Letters to Ruslan", title=True) == ["Ruslan"]


def test_a_name_says_what_it_looks_like() -> None:
    kinds = {n.word: n.kind for n in likely_names("We met Ruslan and the Мартановы in Шали and Гудермесе.")}
    assert kinds == {
        "Ruslan": "a first name",
        "Мартановы": "a family name",
        "Шали": "a name or place",
        "Гудермесе": "a place",
    }
