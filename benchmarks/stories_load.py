"""Time loading an exhibition's stories against reading and rendering the same files bare.

    PYTHONPATH=. python -m benchmarks.stories_load [--stories 100] [--words 1500] [--terms 20]

Generates stories in a temporary folder: mixed English and Russian testimony with the story's
redact terms scattered through it, in their forms (and no name it does not list). Prints the
median time of ``load_exhibition``
(validation, consent, withholding, contact search, the rendered read-back), the floor (read each
file, parse its YAML, render its Markdown) and their ratio, then the time to search a 2 MB
adversarial run of text (the worst a story file may hold).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

import markdown
import yaml

from anonymize.config import StorySettings
from anonymize.stories.forms import russian_forms
from anonymize.stories.load import MAX_STORY_BYTES
from anonymize.stories.publish import load_exhibition, story_files
from anonymize.stories.text import Redactor, find_contacts
from benchmarks.image_vs_pillow import median_time

PROSE = (
    "the night they came we left by train my mother wrote letters nobody knew where I was going "
    "ночью они пришли мы уехали на поезде мама писала письма никто не знал куда я еду"
)
WORDS = PROSE.split(" ")
NAMES = [
    "Зелимхан",
    "Аргун",
    "Ахмед",
    "Кадыров",
    "Руслан",
    "Аслан",
    "Мадина",
    "Лейла",
    "Хава",
    "Зарема",
    "Умар",
    "Саид",
    "Ильяс",
    "Амина",
    "Ислам",
    "Тимур",
    "Гудермес",
    "Бамут",
    "Ведено",
    "Шали",
    "Магомед",
    "Хасан",
    "Хусейн",
    "Ибрагим",
    "Асет",
    "Седа",
    "Малика",
    "Ризван",
    "Дени",
    "Адам",
    "Zelimkhan",
    "Argun",
    "Magomedova",
    "Ruslan",
    "Aslan",
    "Madina",
    "Leila",
    "Khava",
    "Zarema",
    "Umar",
    "Ilyas",
    "Amina",
    "Timur",
    "Gudermes",
    "Bamut",
    "Vedeno",
    "Shali",
    "Magomed",
    "Khasan",
    "Ibragim",
    "Aset",
    "Seda",
    "Malika",
    "Rizvan",
    "Deni",
    "Kadyrova",
    "Musaev",
    "Tsechoev",
]
LATIN_ENDINGS = ["", "", "'s", "s"]
#: The terms the 2 MB runs are searched for (as before, so the times compare).
ADVERSARIAL = ["Зелимхан", "Аргун", "Грозный", "Ахмед", "Кадыров", "Zelimkhan", "Argun", "Magomedova"]


def write_project(root: Path, stories: int, words: int, terms: int, rng: random.Random) -> StorySettings:
    (root / "stories").mkdir()
    (root / "photos").mkdir()
    for n in range(stories):
        names = rng.sample(NAMES, terms)
        body = []
        for i in range(words):
            body.append(_written(rng.choice(names), rng) if i % 25 == 0 else rng.choice(WORDS))
            if i % 80 == 79:
                body.append(".\n\n")
        front = {
            "pseudonym": f"Person {n}",
            "title": f"Story {n}",
            "consent": {"portrait": True, "testimony": True, "given": dt.date(2024, 1, 1)},
            "redact": names,
        }
        text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{' '.join(body)}\n"
        (root / "stories" / f"s{n:04}.md").write_text(text, encoding="utf-8")
    return StorySettings(root / "stories", root / "photos", ("Grozny", "Грозный"), "en", root / "mkdocs.yml")


def _written(name: str, rng: random.Random) -> str:
    """A name as a testimony writes it: a Russian one in any of its forms, a Latin one maybe with
    a possessive or a plural."""
    if name.isascii():
        return name + rng.choice(LATIN_ENDINGS)
    return rng.choice(sorted(russian_forms(name))).capitalize()


def floor(settings: StorySettings) -> None:
    for path in story_files(settings.stories_dir):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        yaml.safe_load(front)
        markdown.markdown(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--terms", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = write_project(Path(tmp), args.stories, args.words, args.terms, random.Random(7))
        ours = median_time(lambda: load_exhibition(settings, dt.date(2026, 1, 1)), args.repeat)
        bare = median_time(lambda: floor(settings), args.repeat)
    print(f"{args.stories} stories of {args.words} words, {args.terms} terms each")
    print(f"  load_exhibition   {ours:7.3f} s  ({ours / args.stories * 1000:.1f} ms per story)")
    print(f"  read+YAML+Markdown{bare:7.3f} s")
    print(f"  ratio             {ours / bare:7.2f}x")
    redactor = Redactor(ADVERSARIAL)
    for label, text in [
        ("letters", "a" * MAX_STORY_BYTES),
        ("dotted", "a." * (MAX_STORY_BYTES // 2)),
        ("digits", "1, " * (MAX_STORY_BYTES // 3)),
        ("names", "аргун" * (MAX_STORY_BYTES // 10)),
    ]:
        start = time.perf_counter()
        redactor.find(text)
        find_contacts(text)
        print(f"  2 MB of {label:8} {time.perf_counter() - start:6.2f} s (withhold + contact search)")


if __name__ == "__main__":
    main()
