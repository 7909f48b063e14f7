"""Every spelling a listed name is written in, Cyrillic and Latin.

An author lists ``Зелимхан``; the English testimony says "Zelimkhan", a friend's letter
"Zelimhan", a passport "ZELIMKHAN", a Telegram handle "zelimxan". Each is the same person. So a
Cyrillic term also withholds its romanisations under the schemes people meet (GOST 7.79, BGN/PCGN,
ICAO Doc 9303 as in passports, scholarly, ALA-LC, BS 2979, the Russian passport office's, Wikipedia's,
Telegram's, Yandex's), through ``iuliia``, a maintained library of those schemes, plus the
informal ones (kh/h, zh/j, ts/c, y/i/j, no soft sign). A Latin term withholds the Cyrillic forms
that romanise back to it: candidates are spelled letter by letter (each Latin letter or digraph
and the Cyrillic letters it stands for), and a candidate is kept only when one of the schemes
writes it as the term, up to the informal differences.
"""

from __future__ import annotations

import functools
import itertools
import re

import iuliia

#: The schemes a name is romanised with, by the people who write about it.
SCHEMES = (
    iuliia.GOST_779,
    iuliia.GOST_779_ALT,
    iuliia.BGN_PCGN,
    iuliia.BGN_PCGN_ALT,
    iuliia.ICAO_DOC_9303,
    iuliia.SCIENTIFIC,
    iuliia.ALA_LC,
    iuliia.ALA_LC_ALT,
    iuliia.BS_2979,
    iuliia.WIKIPEDIA,
    iuliia.MVD_782,
    iuliia.MVD_310,
    iuliia.TELEGRAM,
    iuliia.UNGEGN_1987,
    iuliia.YANDEX_MAPS,
)
#: The schemes a Cyrillic candidate is romanised with to see whether it is the Latin term. The
#: loose comparison below already makes the others' differences equal.
BACK = (iuliia.BGN_PCGN, iuliia.SCIENTIFIC, iuliia.ICAO_DOC_9303, iuliia.WIKIPEDIA)
#: Informal spellings made of each scheme's: one rule at a time, then two together.
INFORMAL = (("kh", "h"), ("kh", "x"), ("zh", "j"), ("ts", "c"), ("ts", "tz"), ("iy", "y"), ("yy", "y"),
            ("y", "i"), ("j", "y"), ("ye", "je"), ("ya", "ia"), ("yu", "iu"), ("'", ""))  # fmt: skip
#: At most this many spellings of one term (its own writing aside): enough for every scheme.
MAX_SPELLINGS = 64

# Latin letters and digraphs, longest first, and the Cyrillic letters each is written for; the
# first is the usual one.
_CYRILLIC = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "tz": "ц", "ch": "ч", "sh": "ш",
    "ya": "я", "ia": "я", "ja": "я", "yu": "ю", "iu": "ю", "ju": "ю", "yo": "ё", "jo": "ё",
    "ye": "е", "je": "е", "a": "а", "b": "б", "v": "в", "w": "в", "g": "г", "d": "д", "e": "еэ",
    "z": "з", "i": "ийы", "y": "ыйи", "j": "йж", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "хг", "c": "цк", "x": "х",
    "q": "к", "'": "ь",
}  # fmt: skip
_TOKENS = sorted(_CYRILLIC, key=len, reverse=True)
#: A Cyrillic candidate may differ from the usual letters in this many places.
MAX_CHOICES = 2
#: A Cyrillic name: Cyrillic letters, with spaces, hyphens or apostrophes between its words.
_CYRILLIC_NAME = re.compile(r"[\u0400-\u04ff]+(?:[ '’-]+[\u0400-\u04ff]+)*")
#: A Latin name: letters, with spaces, hyphens or apostrophes between its words.
_NAME = re.compile(r"[a-z]+(?:[ '’-]+[a-z]+)*")


def _loose(text: str) -> str:
    """A romanisation with the informal differences made equal (for comparing, never for matching)."""
    text = re.sub(r"[`'’ʹʼ\u0301\u0361]", "", text.lower())
    for old, new in (("shch", "sch"), ("kh", "h"), ("x", "h"), ("zh", "j"), ("tz", "c"), ("ts", "c"),
                     ("yy", "y"), ("iy", "y"), ("j", "y"), ("i", "y")):  # fmt: skip
        text = text.replace(old, new)
    return text


def _informal(spelling: str) -> set[str]:
    once = {spelling.replace(old, new) for old, new in INFORMAL if old in spelling}
    twice = {s.replace(old, new) for s in once for old, new in INFORMAL if old in s}
    return {spelling} | once | twice


@functools.cache
def latin_spellings(term: str) -> frozenset[str]:
    """The romanisations of a Cyrillic ``term``, formal and informal (empty for other terms)."""
    if not _CYRILLIC_NAME.fullmatch(term.strip()):  # a name in Cyrillic, not a mix or an address
        return frozenset()
    formal = sorted({scheme.translate(term).lower() for scheme in SCHEMES})
    found: dict[str, None] = dict.fromkeys(formal)
    for spelling in formal:
        found.update(dict.fromkeys(sorted(_informal(spelling))))
    spellings = [s for s in found if s.lower() != term.lower()]
    return frozenset(spellings[:MAX_SPELLINGS])


def _candidates(word: str) -> list[str]:
    """Cyrillic spellings of a lower-case Latin ``word``, the usual letters first."""
    options: list[str] = []
    position = 0
    while position < len(word):
        token = next((t for t in _TOKENS if word.startswith(t, position)), None)
        if token is None:  # a letter no scheme writes for Russian: keep it as it is
            options.append(word[position])
            position += 1
            continue
        options.append(_CYRILLIC[token])
        position += len(token)
    found = ["".join(o[0] for o in options)]
    ambiguous = [i for i, o in enumerate(options) if len(o) > 1]
    for count in range(1, MAX_CHOICES + 1):
        for places in itertools.combinations(ambiguous, count):
            for picks in itertools.product(*(options[i][1:] for i in places)):
                letters = [o[0] for o in options]
                for place, pick in zip(places, picks, strict=True):
                    letters[place] = pick
                found.append("".join(letters))
    return found


@functools.cache
def cyrillic_spellings(term: str) -> frozenset[str]:
    """The Cyrillic forms that romanise back to a Latin ``term`` (empty for other terms)."""
    lower = term.lower()
    if not _NAME.fullmatch(lower):  # a name, not an address, a handle or a number
        return frozenset()
    target = _loose(lower)
    kept = []
    for candidate in _candidates(lower):
        if any(_loose(scheme.translate(candidate)) == target for scheme in BACK):
            kept.append(candidate)
        if len(kept) >= MAX_SPELLINGS:
            break
    return frozenset(kept)


@functools.cache
def spellings(term: str) -> frozenset[str]:
    """Every other spelling of ``term``: Latin ones of a Cyrillic term; of a Latin one, the Cyrillic
    forms and the other Latin spellings of the usual one ("Zelimkhan": Зелимхан, so Zelimhan)."""
    if latin := latin_spellings(term):
        return latin
    cyrillic = cyrillic_spellings(term)
    usual = _candidates(term.lower())[0]
    others = latin_spellings(usual) if usual in cyrillic else frozenset()
    return cyrillic | frozenset(s for s in others if s != term.lower())
