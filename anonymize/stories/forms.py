"""The forms a listed name takes in running text, and only those.

Russian inflects names: ``Кадыров`` is written Кадырова, Кадыровым, Кадыровых, the family
"Мартановы" is the plural of Мартанов, a man called Павел is seen "у Павла". The forms come from
pymorphy3's analyser and the OpenCorpora dictionary in its wheel: a listed word is read as the
names, family names, patronymics and places it may be (or, for a word it does not know, as a noun
in the nominative) and every form of that reading is withheld. A word the dictionary does not
know as a name also takes the endings Russian gives a noun of its last letters (``Ачхой`` →
Ачхоя, Ачхое), and a place its adjective and its people (Аргунский, грозненская, шалинцы).

English and other languages written in Latin letters add to a name its plural and its possessive
("the Kadyrovs", "Musa's": the apostrophe ends the word, so the name is withheld before it), the
feminine of a romanised family name (Kadyrova) and a romanised adjective (Argunsky). Nothing else:
"Musa" does not withhold "music", "Shali" not "shall".

A few names are also everyday words (Said and "said", Роза and "роза", Грозный and "грозный").
Such a word is left where it is written in lower case, as the word; written with a capital it is
withheld, wherever it stands. An everyday word is one frequent in the language (``wordfreq``) that
its dictionary has in lower case: English from Webster's word list in ``english-words`` (which
keeps "said" and "rose" lower case, "Adam" capitalised), Russian from pymorphy3's dictionary read
as other than a name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

#: Grammemes of the readings that are names: first names, family names, patronymics, places,
#: organisations, trademarks.
PROPER = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
#: Digits that may follow a name, as in a user name (zelimkhan95).
TRAILING_DIGITS = 4
#: How frequent (Zipf scale: 4 is once in 100 000 words) a word must be to count as everyday.
ORDINARY_ZIPF = 4.0
#: The same for a Russian word's lemma: an inflected form is rarer than its word (Грозный is 3.99).
ORDINARY_ZIPF_RU = 3.5
#: Shortest stem a derived adjective or demonym is made on: "Иса" must not withhold "иск".
MIN_DERIVED_STEM = 3

# Endings Russian gives a noun it does not know, by its last letters (the stem keeps the rest).
_HARD = ("а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах")
_FAMILY = ("а", "у", "ым", "ом", "е", "ой", "ую", "ы", "ых", "ыми")  # -ов, -ев, -ин: Кадыров, Кадырова
_SOFT_SIGN = ("я", "ю", "ем", "е", "и", "ей", "ям", "ями", "ях", "ью")
_SHORT_I = ("я", "ю", "ем", "е", "и", "ев", "ям", "ями", "ях", "ого", "ому", "ым", "им", "ом")
_A = ("ы", "и", "е", "у", "ой", "ою", "ам", "ами", "ах")
_YA = ("и", "е", "ю", "ей", "ею", "ям", "ями", "ях")
# A place's adjective (Аргунский, грозненская, урус-мартановский) and its people (грозненцы).
_ADJECTIVE_LINKS = ("", "ен", "ин", "ов", "ев", "н")
_ADJECTIVE = ("ий", "ая", "ое", "ие", "ого", "ому", "им", "ом", "ой", "ую", "их", "ими")
_DEMONYM = ("ец", "цы", "ца", "цу", "цем", "це", "цев", "цам", "цами", "цах", "ка", "ки", "ке", "ку", "кой")
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяйь")
_LATIN_VOWELS = frozenset("aeiouy")


@functools.cache
def analyzer() -> Any:
    """pymorphy3's analyser, loaded once per process (its dictionary is in the installed wheel)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@functools.cache
def _webster() -> tuple[frozenset[str], frozenset[str]]:
    """Webster's words written in lower case, and those only ever capitalised (proper nouns),
    both lower-cased."""
    from english_words import get_english_words_set

    words = get_english_words_set(["web2"], alpha=True)
    lower = frozenset(filter(str.islower, words))
    return lower, frozenset(map(str.lower, words.difference(lower))) - lower


def _bases(word: str) -> Iterator[str]:
    """``word`` and the words it may be an inflection of (Webster lists no plurals or tenses)."""
    yield word
    for ending, replacement in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                                ("ing", "e"), ("ly", ""), ("er", ""), ("est", ""), ("'s", ""), ("’s", "")):  # fmt: skip
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            yield word[: -len(ending)] + replacement


def is_english_word(word: str) -> bool:
    """Whether Webster's list has ``word`` (lower case) or a word it inflects, in lower case."""
    lower, _ = _webster()
    return any(base in lower for base in _bases(word))


def is_proper_noun(word: str) -> bool:
    """Whether Webster's list has ``word`` (lower case) only ever capitalised: Adam, Moscow."""
    _, proper = _webster()
    return not is_english_word(word) and any(base in proper for base in _bases(word))


@functools.cache
def russian_names(word: str) -> tuple[Any, ...]:
    """The readings of a Latin ``word``'s Cyrillic spellings as names the Russian dictionary has
    (Ruslan: Руслан, a first name), in the nominative: its own entries, not its guesses."""
    from anonymize.stories.spellings import cyrillic_spellings

    return tuple(
        p
        for c in sorted(cyrillic_spellings(word))
        for p in analyzer().parse(c)
        if PROPER & p.tag.grammemes and "nomn" in p.tag.grammemes and in_dictionary(p)
    )


def in_dictionary(parse: Any) -> bool:
    """Whether a pymorphy3 reading is the dictionary's own entry for the word, not a guess (a
    known ending after an unknown prefix is a guess: "децоратион" is no name)."""
    return len(parse.methods_stack) == 1 and type(parse.methods_stack[0][0]).__name__ == "DictionaryAnalyzer"


@functools.cache
def is_everyday_word(word: str) -> bool:
    """Whether ``word`` (one word, lower case) is an everyday word of English or Russian."""
    import wordfreq

    if script(word) != "cyrillic":
        # Frequent, and Webster's has it in lower case; or a word newer than the list (internet)
        # that it has not as a proper noun and that is not a name in Russian (ali: Али).
        if wordfreq.zipf_frequency(word, "en") < ORDINARY_ZIPF:
            return False
        return is_english_word(word) or not (is_proper_noun(word) or russian_names(word))
    # Russian: a reading as another word the dictionary knows, whose lemma is frequent ("розу": роза).
    return any(
        not (PROPER & p.tag.grammemes)
        and in_dictionary(p)
        and wordfreq.zipf_frequency(p.normal_form, "ru") >= ORDINARY_ZIPF_RU
        for p in analyzer().parse(word)
    )


def _is_cyrillic(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CYRILLIC")


def script(word: str) -> str:
    """``cyrillic`` when most of the word's letters are Cyrillic, ``latin`` when it has other
    letters, ``none`` when it has none (a number, a handle's punctuation)."""
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return "none"
    cyrillic = sum(map(_is_cyrillic, letters))
    return "cyrillic" if cyrillic * 2 >= len(letters) else "latin"


def _declined(word: str) -> set[str]:
    """The forms Russian gives a noun it does not know, by its ending."""
    if word.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return {word + e for e in _FAMILY + _HARD}
    last = word[-1:]
    if last == "й":
        return {word[:-1] + e for e in _SHORT_I}
    if last == "ь":
        return {word[:-1] + e for e in _SOFT_SIGN}
    if last == "а":
        return {word[:-1] + e for e in _A}
    if last == "я":
        return {word[:-1] + e for e in _YA}
    if last.isalpha() and last not in _CYRILLIC_VOWELS:
        return {word + e for e in _HARD}
    return set()  # -о, -е, -и, -у, -ю: Шали, Ведено, Гелани are not declined


def _derived(word: str) -> set[str]:
    """A place's adjective and the name of its people, in every form."""
    stem = re.sub(r"(?:ый|ий|ой|[аеёиоуыэюяйь])$", "", word)
    if len(stem) < MIN_DERIVED_STEM:
        return set()
    adjectives = {stem + link + "ск" + e for link in _ADJECTIVE_LINKS for e in _ADJECTIVE}
    return adjectives | {stem + link + e for link in ("", "ен", "ин", "ов") for e in _DEMONYM}


@functools.cache
def russian_forms(word: str, place: bool = False) -> frozenset[str]:
    """Every form of a Cyrillic ``word`` listed as a name (lower case; the word itself included);
    ``place``: it is known to name a place (the last word of Урус-Мартан), so it has an adjective."""
    lower = word.lower()
    forms = {lower}
    known = all(_is_cyrillic(c) or not c.isalpha() for c in lower)  # a palochka typed as I is not
    parses = analyzer().parse(lower) if known else []
    # A name is listed as it is named, in the nominative: "Кадыров" is the family name, not the
    # genitive plural of the first name Кадыр. A name listed in another case is read in any.
    proper = [p for p in parses if PROPER & p.tag.grammemes]
    nominative = [p for p in parses if {"NOUN", "ADJF"} & p.tag.grammemes and "nomn" in p.tag.grammemes]
    proper = [p for p in proper if p in nominative] or proper
    for parse in proper or nominative:
        forms.update(form.word for form in parse.lexeme)
    if not proper:  # a name the dictionary does not know: decline it as a noun, and as a place
        forms |= _declined(lower)
    if place or not proper or any("Geox" in p.tag.grammemes for p in proper):
        forms |= _derived(lower)
    return frozenset(forms)


def latin_suffix(word: str) -> str:
    """A pattern for what may follow a Latin-script ``word`` (folded) in a form of it."""
    endings = ["e?s"]  # the Kadyrovs, Musas
    if word[-1:].isalpha() and word[-1] not in _LATIN_VOWELS:
        endings.append("a")  # Kadyrova, the feminine of a romanised family name
    return rf"(?:{'|'.join(endings)})?\d{{0,{TRAILING_DIGITS}}}"


def latin_adjective(word: str) -> str | None:
    """A pattern for a romanised adjective of a place (Argunsky, Groznenskaya), or None."""
    stem = re.sub(r"(?:yy|iy|ij|ii|[aeiouy])$", "", word)
    if len(stem) < MIN_DERIVED_STEM:
        return None
    return (
        rf"{re.escape(stem)}(?:en|in|ov|ev|n)?sk(?:iy|yy|ii|ij|y|i|aya|aja|aia|oye|oe|oy|ogo|ie|iye|iya)"
        rf"\d{{0,{TRAILING_DIGITS}}}"
    )
