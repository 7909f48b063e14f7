"""Read a story file: UTF-8 text, YAML front matter between ``---`` lines, then the testimony."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from anonymize.errors import InputError, printable

#: Story files larger than this are refused: a testimony is text, not an archive.
MAX_STORY_BYTES = 2_000_000


@dataclass(frozen=True)
class StoryFile:
    """A story file split into its parsed front matter and its testimony."""

    path: Path
    slug: str  # the file name without ``.md``: how curators name the story
    data: object  # the parsed front matter, not yet checked
    body: str
    body_line: int  # line number of the testimony's first line in the file
    #: Keys given twice ("line 4: 'title' appears twice"): a problem of the story, reported with
    #: the rest of them (the data keeps the last value, as YAML does).
    duplicates: tuple[str, ...] = ()


class _StoryLoader(yaml.SafeLoader):
    """SafeLoader that notes duplicate keys and keeps impossible dates as text.

    PyYAML keeps the last of two equal keys: a second ``redact:`` list would silently drop the
    first, so each one is noted (``duplicates``) for the story to refuse, beside whatever else
    is wrong with it. A date such as 2019-02-30 would raise from deep inside the parser; kept as
    text, it gets the same "expected a date" message as any other bad date.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable: the base class says so
                continue
            if duplicate:
                line = key_node.start_mark.line + 2  # the file's line: the front matter starts on line 2
                self.duplicates.append(f"line {line}: {printable(str(key), limit=60)!r} appears twice")
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            value: dt.date = self.construct_yaml_timestamp(node)
            return value
        except ValueError:
            return self.construct_scalar(node)


_StoryLoader.add_constructor("tag:yaml.org,2002:timestamp", _StoryLoader.construct_timestamp)


def _is_fence(line: str) -> bool:
    return line.rstrip() == "---"


def read_story(path: Path) -> StoryFile:
    """Read and split one story file; raise ``InputError`` naming the file when it cannot be."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_STORY_BYTES + 1)
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    if len(data) > MAX_STORY_BYTES:
        raise InputError(path, f"larger than {MAX_STORY_BYTES // 1_000_000} MB: a story file holds text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError(path, f"not UTF-8 text (line {line}): save the story as UTF-8") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not _is_fence(lines[0]):
        raise InputError(path, "no front matter: a story starts with a line '---', its fields, then '---'")
    end = next((i for i in range(1, len(lines)) if _is_fence(lines[i]) or lines[i].rstrip() == "..."), None)
    if end is None:
        raise InputError(path, "front matter is not closed: add a line '---' after its last field")
    loader = _StoryLoader("\n".join(lines[1:end]))
    try:
        parsed = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"line {mark.line + 2}" if mark is not None else "front matter"
        raise InputError(path, f"{where}: {err.problem or err.context or 'not valid YAML'}") from None
    except yaml.YAMLError as err:
        raise InputError(path, f"front matter is not valid YAML: {err}") from None
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError) as err:
        # Explicit tags (!!int abc, !!bool maybe), a 5000-digit number, nesting too deep: the
        # constructors raise these rather than a YAMLError.
        raise InputError(path, f"front matter is not valid YAML: {type(err).__name__}: {err}") from None
    finally:
        loader.dispose()
    return StoryFile(path, path.stem, parsed, "\n".join(lines[end + 1 :]), end + 2, tuple(loader.duplicates))
