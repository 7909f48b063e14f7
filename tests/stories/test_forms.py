"""A listed name is withheld in the forms its language makes of it, and ordinary words are not."""

from __future__ import annotations

import pytest

from anonymize.stories.forms import russian_forms, script
from anonymize.stories.text import Redactor

MARK = "[name withheld]"


def withheld(terms: list[str], text: str) -> list[str]:
    """The words of ``text`` the redactor withholds, as written."""
    return [text[r.start : r.end] for r in Redactor(terms).find(text)]


@pytest.mark.parametrize(
    ("term", "written"),
    [
        # every case and number, from the dictionary
        ("Кадыров", "Кадыров Кадырова Кадырову Кадыровым Кадырове Кадыровы Кадыровых Кадыровыми"),
        ("Кадыров", "Кадыровой"),  # his wife, his daughter: the family name's feminine
        ("Мартановы", "Мартанов Мартановых Мартановым Мартановыми Мартанову"),  # the family and one of it
        ("Зелимхан", "Зелимхана Зелимхану Зелимханом Зелимхане Зелимханы Зелимханов Зелимханами"),
        ("Павел", "Павла Павлу Павлом Павле"),  # a fleeting vowel
        ("Лейла", "Лейлы Лейле Лейлу Лейлой Лейлою"),
        ("Иса", "Исы Исе Ису Исой"),
        ("Грозный", "Грозного Грозному Грозным Грозном"),
        # a name the dictionary does not know is declined as a noun of its ending
        ("Ачхой", "Ачхоя Ачхою Ачхое Ачхоем"),
        ("Бамут", "Бамута Бамуту Бамутом Бамуте"),
        # a place's adjective and its people
        ("Аргун", "Аргунский аргунская Аргунского аргунцы"),
        ("Грозный", "грозненский грозненская грозненцы"),
        ("Шали", "шалинский шалинские шалинцы"),
        # several words
        ("Урус-Мартан", "Урус-Мартана Урус-Мартане урус-мартановский"),
        # romanised: plural, possessive, feminine, adjective, a user name
        ("Kadyrov", "Kadyrovs Kadyrova Kadyrov95"),
        ("Argun", "Argunsky Argunskaya Argunskiy"),
        ("Зелимхан", "Zelimkhan Zelimhan Zelimkhans"),
    ],
)
def test_every_form_is_withheld(term: str, written: str) -> None:
    assert withheld([term], written) == written.split()


def test_the_issue_story_keeps_its_english() -> None:
    text = "We listened to Musa and I Shali say the Mona was long. You Ali see. Adam's friends."
    ordinary = "We listened to music and I must say the month was long. You shall see."
    terms = ["Musa", "Shali", "Mona", "Ali", "Adam"]
    assert Redactor(terms).redact(ordinary, MARK).text == ordinary
    assert withheld(terms, text) == ["Musa", "Shali", "Mona", "Ali", "Adam"]
    assert withheld(terms, "Alice, Alison, an adamant alibi, Monaco, Shalimar, mustard") == []


@pytest.mark.parametrize(
    ("term", "ordinary"),
    [
        ("Иса", "иск иска исход история"),  # a short name is not the start of every word
        ("Муса", "мусор муссон мусульманин"),
        ("Али", "алый алая алиби"),
        ("Шали", "шалаш шалость"),
        ("Аргун", "аргумент аргументы"),
        ("Adam", "adamant adamantly"),
    ],
)
def test_words_that_start_with_a_name_are_kept(term: str, ordinary: str) -> None:
    assert withheld([term], ordinary) == []


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        (["Said"], "Said said he said so. SAID.", "{M} said he said so. {M}."),
        (["Роза"], "Роза дала розу. РОЗЫ", "{M} дала розу. {M}"),
        (["Грозный"], "Грозный, грозный взгляд, в грозном", "{M}, грозный взгляд, в грозном"),
        (["Лев"], "Лев видел льва, Льва", "{M} видел льва, {M}"),
    ],
)
def test_an_everyday_word_in_lower_case_is_the_word(terms: list[str], text: str, expected: str) -> None:
    assert Redactor(terms).redact(text, MARK).text == expected.format(M=MARK)


def test_a_name_that_is_no_everyday_word_is_withheld_in_lower_case() -> None:
    assert withheld(["Adam", "Mona", "Шали", "Аргун"], "adam, mona, шали, аргуна") == ["adam", "mona", "шали", "аргуна"]


def test_a_listed_name_in_another_case_is_read_in_any() -> None:
    assert {"кадыров", "кадырову"} <= russian_forms("Кадыровыми")


@pytest.mark.parametrize(
    ("word", "kind"),
    [("Аргун", "cyrillic"), ("ГIала", "cyrillic"), ("Аmir", "latin"), ("Zelimkhan", "latin"), ("95", "none")],
)
def test_script_of_a_word(word: str, kind: str) -> None:
    assert script(word) == kind
