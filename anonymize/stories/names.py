"""Find the names of people and places a story writes that nobody listed.

An author lists the names they think of; the testimony names a cousin, a village, a family they
forgot. A word is a likely name when:

- **Russian** (Cyrillic): it is capitalised in the middle of a sentence (Russian capitalises
  little else: ``Вера``, ``Роза`` and the street ``Мира`` are names there; the polite ``Вы`` is
  not); or it opens a sentence and pymorphy3's dictionary reads it mostly as a first name,
  family name, patronymic or place, or does not know it at all.
- **English and other Latin-script text**: it is capitalised in the middle of a sentence and is
  not an everyday word (frequency from ``wordfreq``, Webster's list with its capitals from
  ``english-words``), unless a Cyrillic spelling of it is a name or place the Russian dictionary
  knows (Said, Mark, Berlin); or it opens a sentence and Webster's list knows it only capitalised (a
  proper noun: Adam, Moscow), or not at all and it is rare (Zelimkhan) or a Cyrillic spelling of
  it is a first or family name in the Russian dictionary (Amir, Ahmed).

Month and day names, language names (Russian, Chechen: CLDR's, through Babel), the pronoun I,
titles (Mr.), Roman numerals and short words in capitals (LGBT, NGO) are not names; after a title
or an address abbreviated with a full stop (Mr. Kadyrov, г. Шали) the sentence goes on. Every
word of a heading and of a title is judged as if it opened a sentence (Title Case capitalises
everything). The decision is the author's: each likely name stops the build until it is listed
under ``redact`` (withheld) or ``allow`` (published as written).
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from anonymize.stories import forms

#: Words in capitals up to this long are abbreviations (LGBT, NGO, ФСБ), not names.
MAX_ABBREVIATION = 5
#: A word that opens a sentence is a name when its name readings carry at least this much of the
#: dictionary's score (Лев: 0.52; Вера, Любовь: less).
NAME_SCORE = 0.5
#: A Latin word unknown to Webster's list opening a sentence is a name when rarer than this (Zipf).
RARE_ZIPF = 3.0

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# What may stand between a sentence's end and its first word: spaces, quotes, brackets, emphasis,
# dialogue dashes, list and quote markers.
_OPENING = set(" \t\"'«»„“”‘’()[]*_—–->#+")
_SENTENCE_END = set(".!?…:;")
# Titles and parts of an address written with a full stop, after which a name goes on.
# (None of them ends a sentence as a word: "no" and "им" do, so they are not here.)
_TITLES = frozenset(["mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "lt", "sgt", "mt", "ft", "vs"])
_ADDRESSES = frozenset(["г", "гг", "ул", "пос", "пгт", "с", "д", "ст"])  # город, улица, посёлок, село, ...
_ABBREVIATIONS = _TITLES | _ADDRESSES
# The polite Вы is capitalised inside a sentence and is no name.
_POLITE = frozenset(
    [
        *[
            "вы",
            "вас",
            "вам",
            "вами",
            "ваш",
            "ваша",
            "ваше",
            "ваши",
            "вашего",
            "вашей",
            "вашему",
            "вашим",
            "вашими",
            "ваших",
            "вашу",
            "вашем",
            "вашею",
        ]
    ]
)
_LAST_WORD = re.compile(r"[^\W\d_]+$")
_MARKER = re.compile(r"[ \t]*(?:[-*+>#]|\d+[.)])")
_HEADING = re.compile(r"^[ \t]*#", re.MULTILINE)
_CALENDAR = frozenset(
    name.lower() for names in (calendar.month_name, calendar.day_name, calendar.month_abbr) for name in names if name
)
_PRONOUN = frozenset({"i"})
_ROMAN = re.compile(r"[ivxlcdm]+")  # XIX, Xviii: a century, not a name
_POSSESSIVE = re.compile(r"['’]s?$", re.IGNORECASE)

NAME_OR_PLACE = "a name or place"
KINDS = {"Name": "a first name", "Surn": "a family name", "Patr": "a patronymic", "Geox": "a place"}


@dataclass(frozen=True)
class LikelyName:
    """A word that looks like a name nobody listed: ``start:end`` in the text, and what it may be."""

    start: int
    end: int
    word: str
    kind: str  # "a first name", "a place", "a name or place" ...


def likely_names(text: str, title: bool = False) -> Iterator[LikelyName]:
    """Every word of ``text`` that looks like a name of a person or a place, in order.

    ``title``: the text is a title, every word of which may be capitalised."""
    for match in _WORD.finditer(text):
        word = _POSSESSIVE.sub("", match.group())
        if len(word) < 2 or not word[0].isupper():
            continue
        if word.isupper() and len(word) <= MAX_ABBREVIATION:
            continue
        lower = word.lower()
        if lower in _PRONOUN or lower in _CALENDAR or lower in _POLITE or lower in _TITLES or _ROMAN.fullmatch(lower):
            continue
        opening = title or _opens_sentence(text, match.start()) or _in_heading(text, match.start())
        kind = _russian(lower, opening) if forms.script(word) == "cyrillic" else _latin(lower, opening)
        if kind is not None:
            yield LikelyName(match.start(), match.start() + len(word), word, kind)


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence: the text's start, after a full stop (or
    ! ? … : ;), a blank line, or at the start of a list item, a quote or a heading line."""
    position = start
    while position > 0 and (text[position - 1] in _OPENING or text[position - 1].isspace()):
        position -= 1
    if position == 0:
        return True
    if text[position - 1] in _SENTENCE_END:
        # "Mr. Smith", "в г. Шали": a title or an address goes on with its sentence.
        before = _LAST_WORD.search(text, 0, position - 1)
        return text[position - 1] != "." or before is None or before.group().lower() not in _ABBREVIATIONS
    between = text[position:start]
    if "\n" not in between:
        return False
    line = between[between.rfind("\n") + 1 :]
    return between.count("\n") > 1 or _MARKER.match(line) is not None


def _in_heading(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return _HEADING.match(text, line_start) is not None


@functools.cache
def _russian(word: str, opening: bool) -> str | None:
    parses = forms.analyzer().parse(word)
    proper = [p for p in parses if forms.PROPER & p.tag.grammemes]
    known = any(map(forms.in_dictionary, parses))
    kind = _kind(proper)
    if not opening:  # capitalised inside a Russian sentence: a name (Мира in "ул. Мира" too)
        return kind
    if not known:
        return NAME_OR_PLACE
    if sum(p.score for p in proper) >= NAME_SCORE * sum(p.score for p in parses):
        return kind
    return None


@functools.cache
def _languages() -> frozenset[str]:
    """The names of languages in English (CLDR, through Babel), which English capitalises and also
    writes for the people and things of a place: Russian, Chechen, Ingush."""
    from babel import Locale

    return frozenset(name.lower() for name in Locale("en").languages.values())


@functools.cache
def _latin(word: str, opening: bool) -> str | None:
    import wordfreq

    if word in _languages():
        return None

    names = list(forms.russian_names(word))  # Ruslan: Руслан, a first name in the dictionary
    people = [p for p in names if {"Name", "Surn"} & p.tag.grammemes]
    if forms.is_everyday_word(word):
        # An everyday word is a name only capitalised mid-sentence and a name or a place in
        # Russian (Said: Саид; Berlin, a carriage to Webster, is Берлин).
        return _kind(names) if names and not opening else None
    if not opening or forms.is_proper_noun(word) or people:  # Amir, Ahmed: a Russian name in Latin
        return _kind(names)
    if not forms.is_english_word(word) and wordfreq.zipf_frequency(word, "en") < RARE_ZIPF:
        return _kind(names)  # Zelimkhan: nobody's word
    return None


def _kind(parses: list) -> str:  # type: ignore[type-arg]
    """What the likeliest name reading is: a first name, a family name, a place."""
    for parse in sorted(parses, key=lambda p: -p.score):
        for grammeme, kind in KINDS.items():
            if grammeme in parse.tag.grammemes:
                return kind
    return NAME_OR_PLACE
