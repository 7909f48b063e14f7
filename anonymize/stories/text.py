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
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from anonymize.stories import forms
from anonymize.stories.spellings import spellings

#: Shortest term accepted: one letter would withhold every "a" and "я".
MIN_TERM = 2

#: The neutral mark put in place of a withheld term, in the story's language (fallback English).
MARKS = {"en": "[name withheld]", "ru": "[имя скрыто]"}

_DASHES = "‐‑‒–—―−﹣－"
# Lower-case letters of other alphabets that look like a Latin letter (Cyrillic, Greek, Turkish
# dotless i, letters with a stroke that does not decompose), and apostrophe and dash variants.
_LOOKALIKES = {
    **dict(zip("аеорсухіјѕԁһԛԝвнкмтү", "aeopcyxijsdhqwbhkmty", strict=True)),
    **dict(zip("αβεικνορτυχ", "abeikvoptux", strict=True)),
    **dict(zip("ıłđøħŧ", "ildoht", strict=True)),
    **dict.fromkeys("’‘ʼʹ′`´", "'"),
    **dict.fromkeys(_DASHES, "-"),
}
# The Chechen palochka (Ӏ) is typed as Latin I or l, Cyrillic І, or the digit 1.
_PALOCHKA = "ӏ"
_PALOCHKA_CLASS = f"[{_PALOCHKA}il1]"
_TYPED_FOR_PALOCHKA = (_PALOCHKA, "i", "l", "1")
_DROPPED = frozenset(("Mn", "Me", "Cf"))
_WORD = r"[^\W_]"  # a letter or digit: an underscore is Markdown emphasis, not part of a name
_WORD_START = rf"(?<!{_WORD})"
# Words of a term: a hyphen, a dash or a space between them may be any of these, or none.
_SEPARATORS = re.compile(r"[\s'-]+")
_BETWEEN = r"[\s'-]*"
_ASCII_FOLD = str.maketrans("`", "'")


def fold(text: str) -> tuple[str, list[int] | range]:
    """Return the folded text and, per folded character, the index it came from in ``text``."""
    if text.isascii():
        return text.lower().translate(_ASCII_FOLD), range(len(text))
    return _with_origin(list(map(_fold_char, text)))


@functools.cache
def _fold_char(char: str) -> str:
    parts = (p for p in unicodedata.normalize("NFKD", char) if unicodedata.category(p) not in _DROPPED)
    return "".join(_LOOKALIKES.get(f, f) for p in parts for f in p.casefold())


def _with_origin(parts: list[str]) -> tuple[str, list[int] | range]:
    """Join per-character parts; map each resulting character to the index of its part."""
    joined = "".join(parts)
    if len(joined) == len(parts) and all(parts):  # one for one, the common case
        return joined, range(len(parts))
    return joined, [index for index, part in enumerate(parts) for _ in part]


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


def _word_count(term: str) -> int:
    return len([w for w in _SEPARATORS.split(term) if w])


def _literal(text: str, typed_for: tuple[str, ...] = _TYPED_FOR_PALOCHKA) -> str:
    """``text`` as a pattern, the palochka and the letters typed for it matching each other."""
    return "".join(_PALOCHKA_CLASS if c in typed_for else re.escape(c) for c in text)


def _alternatives(words: Iterable[str], typed_for: tuple[str, ...]) -> str:
    """One pattern for a set of folded forms: their common beginning, then each ending, longest
    first."""
    ordered = sorted(set(words), key=lambda f: (-len(f), f))
    if len(ordered) == 1:
        return _literal(ordered[0], typed_for)
    shortest = ordered[-1]
    common = next((i for i, c in enumerate(shortest) if any(f[i] != c for f in ordered)), len(shortest))
    endings = "|".join(_literal(f[common:], typed_for) for f in ordered)
    return f"{_literal(ordered[0][:common], typed_for)}(?:{endings})"


def _word_pattern(original: str, place: bool = False) -> str:
    """A pattern over folded text for one word of a term, in every form of it (stories.forms);
    ``place``: the word ends the name of a place (Урус-Мартан), so its adjective is a form too."""
    word = folded(original)
    if not re.search(rf"{_WORD}$", word):  # ends in punctuation ("C.J."): as written
        return _literal(word, (_PALOCHKA,))
    kind = forms.script(original)
    if kind == "cyrillic":  # Russian forms; an I, l or 1 in a Cyrillic word is a palochka typed
        inflected = {folded(f) for f in forms.russian_forms(original, place)}
        return _alternatives(inflected, _TYPED_FOR_PALOCHKA) + rf"\d{{0,{forms.TRAILING_DIGITS}}}"
    typed_for = (_PALOCHKA,)  # "shali" is not "shaӀi": its i and l are letters
    pattern = _literal(word, typed_for) + (forms.latin_suffix(word) if kind == "latin" else "")
    if kind == "none":
        pattern += rf"\d{{0,{forms.TRAILING_DIGITS}}}"
    if kind == "latin" and (adjective := forms.latin_adjective(word)):
        pattern = f"(?:{adjective}|{pattern})"
    return pattern


def _term_pattern(term: str) -> str:
    """A regular expression over folded text for one term: whole words, each in its forms."""
    originals = [w for w in _SEPARATORS.split(term.strip()) if w]
    hyphenated = len(originals) > 1 and re.search(r"\w-\w", folded(term)) is not None
    parts = [_word_pattern(o, place=hyphenated and i == len(originals) - 1) for i, o in enumerate(originals)]
    # Whole words: no letter or digit may touch the term, unless the term itself ends there in
    # punctuation ("@amir", "C.J.").
    first, last = folded(originals[0]), folded(originals[-1])
    before = _WORD_START if re.match(_WORD, first) else ""
    after = rf"(?!{_WORD})" if re.search(rf"{_WORD}$", last) else ""
    return before + _BETWEEN.join(parts) + after


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
        #: The listed terms, each once.
        self.terms: tuple[str, ...] = tuple(unique.values())
        # Every spelling of each (stories.spellings), found as the term it spells.
        spelled = {key: (term, term) for key, term in unique.items()}  # folded: (as written, listed)
        for term in self.terms:
            for spelling in sorted(spellings(term)):
                if term_problem(spelling) is not None:  # "ль" is "l": too short to withhold
                    continue
                spelled.setdefault(" ".join(folded(spelling).split()), (spelling, term))
        # Most words first (as the patterns count them: "Achkhoy-Martan" is two), so "Ахмед
        # Кадыров" is withheld whole before "Ахмед" alone is tried; then the terms as listed
        # before other spellings, so a word that is both is counted as the term its author
        # wrote. (A match of as many words is as wide: the order then changes only whose it is.)
        order = sorted(spelled, key=lambda k: (-_word_count(k), spelled[k][0] != spelled[k][1], -len(k), k))
        self._spellings = tuple(spelled[key] for key in order)
        # Terms that start with a letter are tried only where a word starts: one look behind
        # per position instead of one per term (benchmarks/stories_load.py: 21 → 13 ms a story);
        # and there only those starting with the word's first letter: each term has a dozen
        # spellings, and most words start with a letter none of them does.
        at_word: dict[str, list[str]] = {}
        anywhere = []
        for i, (spelling, _) in enumerate(self._spellings):
            pattern = _term_pattern(spelling)
            if pattern.startswith(_WORD_START):
                # The first letter the pattern asks for: its first word's, as _term_pattern folds it.
                letter = folded(next(w for w in _SEPARATORS.split(spelling.strip()) if w))[0]
                first = _PALOCHKA_CLASS if letter in _TYPED_FOR_PALOCHKA else re.escape(letter)
                at_word.setdefault(first, []).append(f"(?P<t{i}>{pattern.removeprefix(_WORD_START)})")
            else:
                anywhere.append(f"(?P<t{i}>{pattern})")
        if at_word:
            groups = "|".join(f"(?={first})(?:{'|'.join(patterns)})" for first, patterns in at_word.items())
            anywhere.insert(0, f"{_WORD_START}(?:{groups})")
        self._pattern = re.compile("|".join(anywhere)) if anywhere else None

    def find(self, text: str) -> list[Replacement]:
        """Every span of ``text`` a listed term matches, in order."""
        if self._pattern is None or not text:
            return []
        folded_text, origin = fold(text)
        found = []
        for match in self._pattern.finditer(folded_text):
            term = self._spellings[int(str(match.lastgroup)[1:])][1]
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            if _everyday(text[start:end]):  # "said", not the listed Said
                continue
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


def _everyday(written: str) -> bool:
    """Whether a match is an everyday word written as one: one word, in lower case (stories.forms)."""
    return written.isalpha() and written.islower() and forms.is_everyday_word(written)


def withheld_mark(language: str, markdown: bool = False) -> str:
    """The mark for a story in ``language``; in Markdown its brackets are escaped (not a link)."""
    mark = MARKS.get(language.split("-")[0].lower(), MARKS["en"])
    return _escaped(mark) if markdown else mark


def _escaped(mark: str) -> str:
    """The mark in Markdown: brackets escaped, so it is text and never a link."""
    return mark.replace("[", "\\[").replace("]", "\\]")


def without_marks(text: str) -> str:
    """``text`` with every withheld mark blanked out, so a term inside a mark is not a survivor."""
    for mark in MARKS.values():
        for form in (_escaped(mark), mark):
            text = text.replace(form, " " * len(form))
    return text


# --- contact details ------------------------------------------------------------------------

#: Hosts whose links lead to a person: social networks, messengers, link pages, video and dating
#: sites. A link to one with a path, a query or a user's subdomain is a profile link.
SOCIAL_HOSTS = (
    "facebook.com", "fb.com", "fb.me", "m.me", "messenger.com", "instagram.com", "instagr.am", "threads.net",
    "twitter.com", "x.com", "t.co", "tiktok.com", "youtube.com", "youtu.be", "linkedin.com", "vk.com", "vk.ru",
    "vk.me", "vk.link", "vkontakte.ru", "ok.ru", "odnoklassniki.ru", "my.mail.ru", "max.ru", "dzen.ru",
    "rutube.ru", "t.me", "telegram.me", "telegram.dog", "telegra.ph", "wa.me", "whatsapp.com", "signal.me",
    "signal.group", "viber.com", "icq.im", "snapchat.com", "pinterest.com", "reddit.com", "tumblr.com",
    "bsky.app", "bsky.social", "mastodon.social", "discord.gg", "discord.com", "discordapp.com", "twitch.tv",
    "linktr.ee", "taplink.cc", "onlyfans.com", "grindr.com", "hornet.com", "badoo.com", "tinder.com",
    "livejournal.com", "github.com",
)  # fmt: skip
#: URL schemes that open a conversation with someone.
MESSENGER_SCHEMES = ("tg", "whatsapp", "viber", "signal", "sgnl", "skype", "mailto", "tel", "sms", "callto", "xmpp")
#: Subdomains that are the site itself, not one of its users.
_SITE_SUBDOMAINS = frozenset({"", "www.", "m.", "mobile.", "web."})

# Contact details are searched on a plain copy of the text: compatibility forms (full-width ＠,
# letters and digits) made plain, invisible characters dropped, every dash a hyphen, every space
# a space, ideographic full stops a dot.
_PLAIN = {
    **dict.fromkeys(_DASHES, "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("。｡", "."),
}

_HOSTS = "|".join(re.escape(host) for host in sorted(SOCIAL_HOSTS, key=len, reverse=True))
_URL_CHARS = r"[^\s<>()\[\]\"'`]"
_URL_END = r"[^\s<>()\[\]\"'`.,;:!?]"
_MESSENGER = re.compile(rf"(?<![\w.+-])(?:{'|'.join(MESSENGER_SCHEMES)}):{_URL_CHARS}*{_URL_END}", re.IGNORECASE)
_SOCIAL = re.compile(
    rf"(?<![\w.@-])(?:https?:[/\\]*)?(?P<sub>(?:[\w-]+\.)*?)(?:{_HOSTS})\.?(?::\d+)?"
    rf"(?:(?P<rest>[/\\?#]{_URL_CHARS}*{_URL_END})|[/\\?#]?(?![\w.-]))",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Written out to fool harvesters: name [at] host [dot] org, name (at) host.org, name собака host.ru,
# name at host dot org. A bare "at" needs a spelled-out "dot" too, or "I worked at vk.com" would be
# an address.
_AT = r"(?:\s*[\[({<]\s*(?:at|собака)\s*[\])}>]\s*|\s+собака\s+)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|точка)\s*[\])}>]\s*|\s+(?:dot|точка)\s+|\.)"
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:{_AT}[\w-]+(?:{_DOT}[\w-]+)+|\s+at\s+[\w-]+(?:\s+(?:dot|точка)\s+[\w-]+)+)",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# Phone numbers: digits with at most two separators between any two, at least six digits.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[ .\-/()]{0,2}\d){5,}(?!\w)")
_LOCAL_PHONE = re.compile(r"\d{2,3}-\d{2}-\d{2}")  # 22-33-44: a local number in a small town
_THOUSANDS = re.compile(r"\d{1,3}(?P<sep>[ .,'])\d{3}(?:(?P=sep)\d{3})*")  # 1 500 000, 1.500.000
_DECIMAL = re.compile(r"\d+[.,]\d+")
# Dates, times and spans of years are blanked out before phone numbers are looked for.
_DATES = re.compile(
    r"(?<!\d)(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}"
    r"|(?P<a>\d{1,2})[-./](?P<b>\d{1,2})[-./](?:\d{4}|\d{2})"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
    r"|(?:1[89]|20)\d\d\s?-\s?(?:1[89]|20)\d\d)(?!\d)"
)


@dataclass(frozen=True)
class Contact:
    """A contact detail found in text: what kind, and ``start:end`` of it."""

    kind: str
    start: int
    end: int
    text: str


def _plain(text: str) -> tuple[str, list[int] | range]:
    """The plain copy contact details are searched in, and where each character came from."""
    if text.isascii():
        return text, range(len(text))
    return _with_origin(list(map(_plain_char, text)))


@functools.cache
def _plain_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":
        return ""
    normal = unicodedata.normalize("NFKC", char)
    return "".join(_PLAIN.get(part, part) for part in (normal if len(normal) == 1 or char.isalnum() else char))


def _is_date(match: re.Match[str]) -> bool:
    if match.group("a") is None:
        return True
    a, b = int(match.group("a")), int(match.group("b"))
    return (a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and b <= 31)


def _is_phone(number: str) -> bool:
    digits = sum(c.isdigit() for c in number)
    if number.startswith("+"):
        return digits >= 7
    if number.isdigit():
        return digits >= 10  # 89281234567; a bare 1500000 is an amount more often than a phone
    if _THOUSANDS.fullmatch(number) or _DECIMAL.fullmatch(number):
        return False
    return digits >= 7 or _LOCAL_PHONE.fullmatch(number) is not None


def _candidates(plain: str) -> Iterator[tuple[str, int, int]]:
    for match in _MESSENGER.finditer(plain):
        yield "messenger link", *match.span()
    for match in _SOCIAL.finditer(plain):
        if match.group("rest") or match.group("sub").lower() not in _SITE_SUBDOMAINS:
            yield "social profile link", *match.span()
    for pattern in (_EMAIL, _SPELLED_EMAIL):
        for match in pattern.finditer(plain):
            yield "e-mail address", *match.span()
    for match in _HANDLE.finditer(plain):
        yield "handle", *match.span()
    undated = _DATES.sub(lambda m: " " * len(m.group()) if _is_date(m) else m.group(), plain)
    for match in _PHONE.finditer(undated):
        number = match.group().strip(" .-/(")
        if _is_phone(number):
            yield "phone number", *match.span()


def find_contacts(text: str) -> list[Contact]:
    """Every e-mail address, phone number, profile or messenger link and @handle, in order.

    A span found by an earlier kind is not reported again by a later one (the e-mail address
    inside a ``mailto:`` link is one finding).
    """
    plain, origin = _plain(text)
    found: list[Contact] = []
    taken: list[tuple[int, int]] = []
    for kind, start, end in _candidates(plain):
        if start == end or any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        first, last = origin[start], origin[end - 1] + 1
        found.append(Contact(kind, first, last, text[first:last]))
    return sorted(found, key=lambda c: c.start)


def allowed(contact: Contact, allow: Sequence[str]) -> bool:
    """Whether the author listed this exact string under ``allow`` (compared folded)."""
    key = " ".join(folded(contact.text).split())
    return any(key == " ".join(folded(entry).split()) for entry in allow)
