"""Count false alarms: ordinary words a listed name withholds, and ordinary words taken for names.

    PYTHONPATH=. python -m benchmarks.false_alarms [--words 25000] [--prose 20000]

1. For each of a set of Chechen and Russian first names, family names and places (three letters or
more, in both scripts), withholds it over the most frequent English and Russian words of
``wordfreq`` (the words people write most; 2 × 25 000 by default) and prints every word withheld
that is not a form of the name. A Russian word is a form of a name when the dictionary reads it as
one (pymorphy3: a first name, family name, patronymic or place); an English one when it is a
spelling of the name with a plural, possessive or feminine ending. Target: 0.

2. Generates ordinary prose, ``--prose`` words per language: sentences of frequent words (drawn by
their frequency, names and places left out of the vocabulary: a Russian word the dictionary reads
as one, an English word GCIDE's dictionary does not have in lower case), each sentence
capitalised, in paragraphs, with Title Case headings, dialogue, quotes, lists and abbreviations.
Every likely name ``stories.names`` finds in it is a false alarm. Prints them per 500 words
(target: at most 1) and the most frequent; then the likely names in the sample stories (their
names, each listed or allowed).
"""

from __future__ import annotations

import argparse
import functools
import random
import textwrap
from collections import Counter
from pathlib import Path

import wordfreq

from anonymize.stories.forms import PROPER, analyzer
from anonymize.stories.names import likely_names
from anonymize.stories.spellings import spellings
from anonymize.stories.text import Redactor, folded

NAMES = [
    *[
        "Musa",
        "Shali",
        "Mona",
        "Ali",
        "Adam",
        "Aslan",
        "Ruslan",
        "Said",
        "Umar",
        "Ahmed",
        "Leila",
        "Madina",
        "Khava",
        "Zarema",
        "Argun",
        "Grozny",
    ],
    *[
        "Gudermes",
        "Vedeno",
        "Bamut",
        "Zelimkhan",
        "Kadyrov",
        "Magomed",
        "Isa",
        "Ilyas",
        "Amina",
        "Lom-Ali",
        "Achkhoy-Martan",
    ],
    *[
        "Муса",
        "Шали",
        "Мона",
        "Али",
        "Адам",
        "Аслан",
        "Руслан",
        "Саид",
        "Умар",
        "Ахмед",
        "Лейла",
        "Мадина",
        "Хава",
        "Зарема",
        "Аргун",
    ],
    *[
        "Гудермес",
        "Ведено",
        "Бамут",
        "Зелимхан",
        "Кадыров",
        "Магомед",
        "Иса",
        "Ильяс",
        "Амина",
        "Ачхой-Мартан",
        "Урус-Мартан",
    ],
]


def _is_name_form(word: str, name: str) -> bool:
    """Whether ``word`` is, independently of the redactor, a form of ``name``."""
    if any("а" <= c <= "я" or c == "ё" for c in word.lower()):
        return any(PROPER & p.tag.grammemes for p in analyzer().parse(word.lower()))
    key = folded(word)
    for spelling in {name, *spellings(name)}:
        base = folded(spelling).replace(" ", "-")
        if key in {base, base + "s", base + "es", base + "a"} or key.replace("-", "") == base.replace("-", ""):
            return True
    return False


@functools.cache
def _gcide_lower_case() -> frozenset[str]:
    """GCIDE's words in lower case: a second dictionary, not the one stories.names reads."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["gcide"], alpha=True) if w.islower())


def _ordinary(word: str, language: str) -> bool:
    """Whether a frequent word is no name or place (the vocabulary of the generated prose)."""
    if not word.isalpha():
        return False
    if language == "ru":
        return not any(PROPER & p.tag.grammemes for p in analyzer().parse(word))
    return word in _gcide_lower_case()


def prose(language: str, words: int, rng: random.Random) -> str:
    """Ordinary prose of about ``words`` words, as a story's Markdown might hold it: wrapped lines,
    headings, lists, emphasis, quotes, dialogue, colons, abbreviations."""
    vocabulary = [w for w in wordfreq.top_n_list(language, 20000) if _ordinary(w, language)]
    weights = [10 ** wordfreq.zipf_frequency(w, language) for w in vocabulary]
    abbreviations = ["NGO", "LGBT", "OK", "UN"] if language == "en" else ["ФСБ", "МВД", "ЛГБТ", "ООН"]
    quote = ("«", "»") if language == "ru" else ("\u201c", "\u201d")
    paragraphs, count = [], 0
    while count < words:
        if rng.random() < 0.1:  # a Title Case heading
            heading = rng.choices(vocabulary, weights, k=rng.randint(2, 5))
            paragraphs.append("## " + " ".join(w[0].upper() + w[1:] for w in heading))
            count += len(heading)
        sentences = []
        for _ in range(rng.randint(2, 6)):
            sentence = rng.choices(vocabulary, weights, k=rng.randint(4, 18))
            while len(sentence[-1]) < 3:  # no sentence ends on a preposition (с, в, к) or "a"
                sentence[-1] = rng.choices(vocabulary, weights)[0]
            count += len(sentence)
            if rng.random() < 0.1:
                sentence.insert(rng.randrange(len(sentence)), rng.choice(abbreviations))
            if rng.random() < 0.2:
                sentence.insert(rng.randrange(1, len(sentence)), ",")
            if rng.random() < 0.1:  # a quoted sentence inside this one, after a colon
                at = rng.randrange(1, len(sentence))
                sentence[at] = f": {quote[0]}{sentence[at][0].upper()}{sentence[at][1:]}"
                sentence[-1] += quote[1]
            text = " ".join(sentence).replace(" ,", ",").replace(" :", ":")
            text = text[0].upper() + text[1:] + rng.choice([".", ".", ".", ".", "?", "!", "…"])
            opening = rng.random()
            if opening < 0.1:
                text = f"— {text}" if language == "ru" else f"{quote[0]}{text}{quote[1]}"
            elif opening < 0.15:
                text = f"*{text}*"
            sentences.append(text)
        if rng.random() < 0.1:  # a list
            paragraphs.append("\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1)))
        else:
            paragraphs.append(textwrap.fill(" ".join(sentences), 96))
    return "\n\n".join(paragraphs)


def withheld_words(top: int) -> int:
    """Part 1: print the ordinary words each name withholds; return how many."""
    words = [w for language in ("en", "ru") for w in wordfreq.top_n_list(language, top)]
    text = "\n".join(words)
    alarms = 0
    for name in NAMES:
        found = [text[r.start : r.end] for r in Redactor([name]).find(text)]
        wrong = sorted({w for w in found if not _is_name_form(w, name)})
        alarms += len(wrong)
        if wrong:
            print(f"  {name:15} {len(found):4} withheld, not its forms: {', '.join(wrong)}")
    print(f"{len(NAMES)} names over {len(words)} words (en, ru): {alarms} ordinary words withheld (target 0)")
    return alarms


def suggestions(words: int) -> None:
    """Part 2: likely names in generated ordinary prose, and in the sample stories."""
    rng = random.Random(11)
    for language in ("en", "ru"):
        text = prose(language, words, rng)
        count = len(text.split())
        found = Counter(name.word for name in likely_names(text))
        total = sum(found.values())
        common = ", ".join(f"{w} ({n})" for w, n in found.most_common(8))
        print(
            f"{language}: {count} words of prose, {total} taken for names: {total / count * 500:.2f} per 500 words "
            f"(target <= 1){': ' + common if common else ''}"
        )
    for path in sorted(Path("stories").glob("*.md")):
        body = path.read_text(encoding="utf-8").split("---\n", 2)[-1]
        print(f"  {path}: {', '.join(n.word for n in likely_names(body)) or 'none'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=25000, help="most frequent words per language")
    parser.add_argument("--prose", type=int, default=20000, help="words of generated prose per language")
    args = parser.parse_args()
    withheld_words(args.words)
    suggestions(args.prose)


if __name__ == "__main__":
    main()
