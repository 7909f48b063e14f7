"""Count the ordinary words a listed name withholds: the forms of a name, and nothing else.

    PYTHONPATH=. python -m benchmarks.false_alarms [--words 25000]

For each of a set of Chechen and Russian first names, family names and places (three letters or
more, in both scripts), withholds it over the most frequent English and Russian words of
``wordfreq`` (the words people write most; 2 × 25 000 by default) and prints every word withheld
that is not a form of the name. A Russian word is a form of a name when the dictionary reads it as
one (pymorphy3: a first name, family name, patronymic or place); an English one when it is a
spelling of the name with a plural, possessive or feminine ending. Target: 0.
"""

from __future__ import annotations

import argparse

import wordfreq

from anonymize.stories.forms import PROPER, _analyzer
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
        return any(PROPER & p.tag.grammemes for p in _analyzer().parse(word.lower()))
    key = folded(word)
    for spelling in {name, *spellings(name)}:
        base = folded(spelling).replace(" ", "-")
        if key in {base, base + "s", base + "es", base + "a"} or key.replace("-", "") == base.replace("-", ""):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=25000, help="most frequent words per language")
    args = parser.parse_args()
    words = [w for language in ("en", "ru") for w in wordfreq.top_n_list(language, args.words)]
    text = "\n".join(words)
    alarms = 0
    for name in NAMES:
        found = [text[r.start : r.end] for r in Redactor([name]).find(text)]
        wrong = sorted({w for w in found if not _is_name_form(w, name)})
        alarms += len(wrong)
        if wrong:
            print(f"  {name:15} {len(found):4} withheld, not its forms: {', '.join(wrong)}")
    print(f"{len(NAMES)} names over {len(words)} words (en, ru): {alarms} ordinary words withheld (target 0)")


if __name__ == "__main__":
    main()
