"""A listed name is withheld in the spellings people write it in, in both scripts, and no further."""

from __future__ import annotations

import pytest

from anonymize.stories.spellings import cyrillic_spellings, latin_spellings
from anonymize.stories.text import Redactor

MARK = "[name withheld]"


def _withheld(terms: list[str], text: str) -> list[str]:
    """The words of ``text`` the redactor withholds, as written there, and for which listed term."""
    return [f"{text[r.start : r.end]}={r.term}" for r in Redactor(terms).find(text)]


@pytest.mark.parametrize(
    ("term", "written"),
    [
        # GOST 7.79, BGN/PCGN and the passport's (ICAO), scholarly, and informal kh/h, x.
        ("Зелимхан", ["Zelimkhan", "Zelimhan", "ZELIMKHAN", "Zelimxan", "zelimhan95"]),
        ("Ельцин", ["Yeltsin", "Eltsin", "El'tsin", "Elcin", "Jelcin"]),
        ("Юсуп", ["Yusup", "Iusup", "Jusup"]),
        ("Шали", ["Shali", "Šali"]),
        ("Грозный", ["Grozny", "Groznyy", "Groznyj", "Grozniy", "Groznyi"]),
        ("Ачхой-Мартан", ["Achkhoy-Martan", "Achkhoi-Martan", "Achhoi Martan", "Achxoj-Martan"]),
        ("Жанна", ["Zhanna", "Janna"]),
        ("Цаца", ["Tsatsa", "Caca"]),
    ],
)
def test_a_cyrillic_term_withholds_its_latin_spellings(term: str, written: list[str]) -> None:
    text = " and ".join(written) + "."
    found = _withheld([term], text)
    assert found == [f"{word}={term}" for word in written]
    assert Redactor([term]).redact(text, MARK).text == " and ".join([MARK] * len(written)) + "."


@pytest.mark.parametrize(
    ("term", "written"),
    [
        ("Zelimkhan", ["Зелимхан", "Зелимхана", "Зелимханом", "ЗЕЛИМХАНУ"]),
        ("Zelimhan", ["Зелимхан", "Зелимхане"]),
        ("Kadyrov", ["Кадыров", "Кадыровыми", "Кадырова"]),
        ("Yusup", ["Юсуп", "Юсупа"]),
        ("Shali", ["Шали"]),
        ("Zhanna", ["Жанна", "Жанны"]),
    ],
)
def test_a_latin_term_withholds_the_cyrillic_forms_that_romanise_to_it(term: str, written: list[str]) -> None:
    text = ", ".join(written)
    assert _withheld([term], text) == [f"{word}={term}" for word in written]


@pytest.mark.parametrize(
    ("terms", "text"),
    [
        (["Зелимхан"], "Zelim and Selimkhan, Salimkhan"),  # another name is not a spelling
        (["Madina"], "Медина, Мадрид"),  # nor a Cyrillic word that romanises otherwise
        (["Аргун"], "Argentina, Ergun"),
        (["Kadyrov"], "Кадыр, Кодыров"),
    ],
)
def test_a_spelling_is_of_the_name_and_of_nothing_else(terms: list[str], text: str) -> None:
    assert _withheld(terms, text) == []


def test_spellings_are_bounded_and_never_of_addresses_or_mixed_words() -> None:
    assert cyrillic_spellings("help@example.org") == frozenset()
    assert cyrillic_spellings("zelim95") == frozenset()
    assert latin_spellings("Amir") == frozenset()
    assert latin_spellings("Amир") == frozenset()  # mixed scripts: a typing slip, not a name to spell
    for term in ("Ахмед-Хаджи Кадыров", "Щербаковская", "Zelimkhan Akhmadovich"):
        assert 0 < len(latin_spellings(term) | cyrillic_spellings(term)) <= 64


def test_a_latin_term_withholds_the_other_romanisations_of_its_usual_cyrillic_form() -> None:
    assert _withheld(["Zelimkhan"], "Zelimhan, Zelimxan") == ["Zelimhan=Zelimkhan", "Zelimxan=Zelimkhan"]


def test_a_word_both_listed_and_a_spelling_counts_for_the_term_as_written() -> None:
    found = Redactor(["Грозный", "Grozny"]).find("A street in Grozny, Грозного.")
    assert [r.term for r in found] == ["Grozny", "Грозный"]


@pytest.mark.parametrize(
    ("term", "text", "withheld"),
    [
        ("Муса", "Musa said: music, must, museum. Musa's son.", ["Musa", "Musa"]),
        ("Шали", "Back in Shali I shall stay; shallow water.", ["Shali"]),
        ("Али", "Ali and Alice, also an alibi; the Alis.", ["Ali", "Alis"]),
        ("Кадыров", "The Kadyrovs and Kadyrov's men; Kadyrova.", ["Kadyrovs", "Kadyrov", "Kadyrova"]),
    ],
)
def test_a_romanisation_nobody_listed_takes_english_forms_only(term: str, text: str, withheld: list[str]) -> None:
    """Russian endings are for Russian text: a romanised name in English takes a plural and a
    possessive, never any three letters ("Musa" for Муса leaves "music" and "must")."""
    assert [text[r.start : r.end] for r in Redactor([term]).find(text)] == withheld


def test_a_longer_spelling_of_one_term_is_withheld_whole_before_a_listed_shorter_term() -> None:
    text = "They drove to Achkhoy-Martan, then Achkhoy Martan, then Achkhoy."
    found = [f"{text[r.start : r.end]}={r.term}" for r in Redactor(["Achkhoy", "Ачхой-Мартан"]).find(text)]
    assert found == ["Achkhoy-Martan=Ачхой-Мартан", "Achkhoy Martan=Ачхой-Мартан", "Achkhoy=Achkhoy"]
