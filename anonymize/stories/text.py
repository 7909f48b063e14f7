"""Withhold listed names in any script and inflection; find contact details left in the text.

Matching runs on a *folded* copy of the text that keeps, for every character, the index of the
character it came from, so a match in the folded copy is replaced in the original:

- compatibility forms and accents are taken apart and the marks dropped (``é`` → ``e``,
  ``ё`` → ``е``, ``й`` → ``и``, full-width letters and ligatures → plain letters);
- case is folded (``ß`` → ``ss``);
- invisible characters (soft hyphens, zero-width joiners, direction marks) vanish, so a name
  broken by one is still a name;
- Cyrillic letters that look like Latin ones become the Latin letter, so a name typed with the
  wrong keyboard layout half-way (``Аmir`` with a Cyrillic А) is still the name.

Each folding can only make more words equal, never fewer: over-redaction is acceptable, a miss
is not.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Letters an inflected ending may add after a term's stem (Аргун → Аргуном, Грозный → Грозного).
INFLECTION = 3
#: Adjectives and demonyms made with -sk-/-ск- may go further (Аргунский, Грозненская, Argunsky):
#: up to two letters, the suffix, then this many letters of ending.
ADJECTIVE_ENDING = 4
#: Trailing vowels (after folding) stripped from a word to find its stem, at most this many...
ENDING = 2
#: ...and never below this many characters of stem.
MIN_STEM = 3
#: Shortest term accepted: one letter would withhold every "a" and "я".
MIN_TERM = 2

#: The neutral mark put in place of a withheld term, in the story's language (fallback English).
MARKS = {"en": "[name withheld]", "ru": "[имя скрыто]"}

# Lower-case Cyrillic letters that look like a Latin letter, upper or lower case.
_LOOKALIKES = dict(zip("аеорсухіјѕԁһӏԛԝвнкмтү", "aeopcyxijsdhlqwbhkmty", strict=True))
_VOWELS = frozenset("aeiouyиыэюяьъ")
_DROPPED = frozenset(("Mn", "Me", "Cf"))
_WORD = r"[^\W_]"  # a letter or digit: an underscore is Markdown emphasis, not part of a name
_LETTER = r"[^\W\d_]"
# After folding, Cyrillic "ск" reads "ck" (lookalikes), Latin "sk" stays.
_LETTERS = rf"(?:{_LETTER}{{0,2}}(?:ck|sk){_LETTER}{{0,{ADJECTIVE_ENDING}}}|{_LETTER}{{0,{INFLECTION}}})"


def fold(text: str) -> tuple[str, list[int]]:
    """Return the folded text and, per folded character, the index it came from in ``text``."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.category(part) in _DROPPED:
                continue
            for folded in part.casefold():
                chars.append(_LOOKALIKES.get(folded, folded))
                origin.append(index)
    return "".join(chars), origin


def folded(text: str) -> str:
    """The folded text alone, for comparing two strings as the matcher sees them."""
    return fold(text)[0]


def term_problem(term: str) -> str | None:
    """Why ``term`` cannot be a redact term, or None when it can."""
    if not term.strip():
        return "an empty term"
    if len(re.findall(_WORD, folded(term))) < MIN_TERM:
        return f"too short to withhold safely (at least {MIN_TERM} letters or digits)"
    return None


def _stem(word: str) -> str:
    stem = word
    for _ in range(ENDING):
        if len(stem) > MIN_STEM and stem[-1] in _VOWELS:
            stem = stem[:-1]
    return stem


def _term_pattern(term: str) -> str:
    """A regular expression over folded text for one term: whole words, each word inflected."""
    words = folded(term).split()
    parts = []
    for word in words:
        stem = _stem(word)
        # The whole word or its stem, then an ending: Musa → Musaeva as well as Musoy.
        start = re.escape(word) if stem == word else f"(?:{re.escape(word)}|{re.escape(stem)})"
        parts.append(start + (_LETTERS if re.search(rf"{_WORD}$", stem) else ""))
    # Whole words: no letter or digit may touch the term, unless the term itself ends there in
    # punctuation ("@amir", "C.J.").
    before = rf"(?<!{_WORD})" if re.match(_WORD, words[0]) else ""
    after = rf"(?!{_WORD})" if re.search(rf"{_WORD}$", words[-1]) else ""
    return before + r"\s+".join(parts) + after


@dataclass(frozen=True)
class Replacement:
    """One withheld span: ``start:end`` in the original text, and the listed term it matched."""

    start: int
    end: int
    term: str


@dataclass(frozen=True)
class Redacted:
    """Text with every listed term withheld, and how to find an offset of it in the original."""

    original: str
    text: str
    replacements: tuple[Replacement, ...]
    # Where each unchanged run or mark begins: its offset in text, in the original, whether a mark.
    _anchors: tuple[tuple[int, int, bool], ...]

    def original_offset(self, offset: int) -> int:
        """Map an offset in the redacted text to the original (a mark maps to what it replaced)."""
        i = bisect.bisect_right([a[0] for a in self._anchors], offset) - 1
        if i < 0:
            return offset
        start, original, mark = self._anchors[i]
        return original if mark else original + (offset - start)

    def counts(self) -> Counter[str]:
        """How many times each listed term was withheld."""
        return Counter(r.term for r in self.replacements)


class Redactor:
    """Withholds a list of terms: case-insensitive, whole words, any script, inflected forms."""

    def __init__(self, terms: Iterable[str]) -> None:
        unique: dict[str, str] = {}
        for term in terms:
            unique.setdefault(" ".join(folded(term).split()), term.strip())
        # Longest first, so "Ахмед Кадыров" is withheld whole before "Ахмед" alone is tried.
        self.terms: tuple[str, ...] = tuple(sorted(unique.values(), key=lambda t: (-len(folded(t)), t)))
        self._pattern = (
            re.compile("|".join(f"(?P<t{i}>{_term_pattern(t)})" for i, t in enumerate(self.terms)))
            if self.terms
            else None
        )

    def find(self, text: str) -> list[Replacement]:
        """Every span of ``text`` a listed term matches, in order."""
        if self._pattern is None or not text:
            return []
        folded_text, origin = fold(text)
        found = []
        for match in self._pattern.finditer(folded_text):
            term = self.terms[int(str(match.lastgroup)[1:])]
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            # Swallow what folding dropped inside the last character (combining accents).
            while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Me"):
                end += 1
            found.append(Replacement(start, end, term))
        return found

    def redact(self, text: str, mark: str) -> Redacted:
        """Replace every match with ``mark``."""
        parts: list[str] = []
        anchors: list[tuple[int, int, bool]] = []
        replacements = self.find(text)
        position = length = 0
        for replacement in replacements:
            if replacement.start > position:
                anchors.append((length, position, False))
                parts.append(text[position : replacement.start])
                length += replacement.start - position
            anchors.append((length, replacement.start, True))
            parts.append(mark)
            length += len(mark)
            position = replacement.end
        if position < len(text):
            anchors.append((length, position, False))
            parts.append(text[position:])
        return Redacted(text, "".join(parts), tuple(replacements), tuple(anchors))


def withheld_mark(language: str, markdown: bool = False) -> str:
    """The mark for a story in ``language``; in Markdown its brackets are escaped (not a link)."""
    mark = MARKS.get(language.split("-")[0].lower(), MARKS["en"])
    return mark.replace("[", "\\[").replace("]", "\\]") if markdown else mark


def without_marks(text: str) -> str:
    """``text`` with every withheld mark blanked out, so a term inside a mark is not a survivor."""
    for mark in MARKS.values():
        for form in (mark.replace("[", "\\[").replace("]", "\\]"), mark):
            text = text.replace(form, " " * len(form))
    return text


# --- contact details ------------------------------------------------------------------------

#: Hosts whose links lead to a person: social networks, messengers, video and dating sites.
SOCIAL_HOSTS = (
    "facebook.com", "fb.com", "fb.me", "m.me", "messenger.com", "instagram.com", "instagr.am", "threads.net",
    "twitter.com", "x.com", "t.co", "tiktok.com", "youtube.com", "youtu.be", "linkedin.com", "vk.com", "vk.me",
    "vkontakte.ru", "ok.ru", "odnoklassniki.ru", "my.mail.ru", "t.me", "telegram.me", "telegram.dog",
    "wa.me", "whatsapp.com", "signal.me", "signal.group", "viber.com", "snapchat.com", "pinterest.com",
    "reddit.com", "tumblr.com", "bsky.app", "mastodon.social", "discord.gg", "discord.com", "twitch.tv",
    "onlyfans.com", "grindr.com", "hornet.com", "badoo.com", "tinder.com", "livejournal.com", "github.com",
)  # fmt: skip
#: URL schemes that open a conversation with someone.
MESSENGER_SCHEMES = ("tg", "whatsapp", "viber", "signal", "sgnl", "skype", "mailto", "tel", "sms", "callto", "xmpp")

_HOSTS = "|".join(re.escape(host) for host in sorted(SOCIAL_HOSTS, key=len, reverse=True))
_CONTACT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "messenger link",
        re.compile(rf"(?<![\w.+-])(?:{'|'.join(MESSENGER_SCHEMES)}):/*[^\s<>()\[\]\"']+", re.IGNORECASE),
    ),
    (
        "social profile link",
        re.compile(
            rf"(?<![\w.@-])(?:https?://)?(?:[a-z0-9-]+\.)*(?:{_HOSTS})(?::\d+)?/[^\s<>()\[\]\"']*[^\s<>()\[\]\"'.,;:!?]",
            re.IGNORECASE,
        ),
    ),
    ("e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)),
    (
        "e-mail address",  # written out to fool harvesters: name [at] host [dot] org, собака, точка
        re.compile(
            r"[\w.+-]+\s*[\[({<]\s*(?:at|собака)\s*[\])}>]\s*[\w-]+(?:\s*[\[({<]\s*(?:dot|точка)\s*[\])}>]\s*[\w-]+)+",
            re.IGNORECASE,
        ),
    ),
    ("handle", re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")),
    ("phone number", re.compile(r"(?<![\w+])\+?\d(?:[ \u00a0.\-/()]{0,2}\d){6,}(?![\w])")),
)
# Digit runs that look like a phone number but are a date or a span of years.
_NOT_PHONE = re.compile(
    r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}|(?:1[89]|20)\d\d\s?[-/]\s?(?:1[89]|20)\d\d"
)


@dataclass(frozen=True)
class Contact:
    """A contact detail found in text: what kind, and ``start:end`` of it."""

    kind: str
    start: int
    end: int
    text: str


def find_contacts(text: str) -> list[Contact]:
    """Every e-mail address, phone number, profile or messenger link and @handle, in order.

    A span found by an earlier pattern is not reported again by a later one (the e-mail address
    inside a ``mailto:`` link is one finding).
    """
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _CONTACT_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if kind == "phone number" and _NOT_PHONE.fullmatch(match.group()):
                continue
            found.append(Contact(kind, start, end, match.group()))
            taken.append((start, end))
    return sorted(found, key=lambda c: c.start)


def allowed(contact: Contact, allow: Sequence[str]) -> bool:
    """Whether the author listed this exact string under ``allow`` (compared folded)."""
    key = " ".join(folded(contact.text).split())
    return any(key == " ".join(folded(entry).split()) for entry in allow)
