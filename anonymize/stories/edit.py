"""Change a story's front matter as its author would: by editing only the lines that change.

A story file is the author's: their comments, the order of their keys, their quoting, how they
wrapped a long list and the testimony are theirs. Re-dumping parsed YAML loses all of that, and a
round-trip library still re-wraps long lines. So an edit here is one splice of the file's text at
the place YAML's own parser marks (``yaml.compose`` gives every node its start and end), and
every other byte stays as it was. The result is then read back with the stories' own loader:
its front matter must be exactly the old one with the change, and the testimony byte for byte
the old one; otherwise nothing is written and the error says to edit by hand.

A file that changed since its author (or the studio) last saw it is not overwritten: the caller
passes the SHA-256 of the version it showed.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml

from anonymize.errors import InputError
from anonymize.fileio import atomic_output, write_synced
from anonymize.stories.load import MAX_STORY_BYTES, _StoryLoader
from anonymize.stories.schema import Consent, Fields, read_front_matter

_BOM = "\ufeff"


class EditError(InputError):
    """A change that cannot be made without rewriting what the author wrote, or to a changed file."""


class StaleStory(EditError):
    """The file changed on disk since the version the change was made against."""


@dataclass
class _Source:
    """The front matter of a story file as text, with the node tree its parser makes of it."""

    path: Path
    text: str
    root: yaml.MappingNode
    newline: str
    #: The front matter as the stories' loader reads it (before the change).
    data: dict[str, object]

    # -- finding ---------------------------------------------------------------------------

    def value(self, mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
        for key_node, value_node in mapping.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                found: yaml.Node = value_node
                return found
        return None

    def key_node(self, mapping: yaml.MappingNode, key: str) -> yaml.Node:
        return next(k for k, _ in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key)

    def photo(self, file: str) -> yaml.MappingNode:
        photos = self.value(self.root, "photos")
        if isinstance(photos, yaml.SequenceNode):
            for item in photos.value:
                if isinstance(item, yaml.MappingNode):
                    name = self.value(item, "file")
                    if isinstance(name, yaml.ScalarNode) and name.value == file:
                        return item
        raise EditError(self.path, f"photos: no photo {file!r} in this story")

    # -- positions -------------------------------------------------------------------------

    def last_index(self, node: yaml.Node) -> int:
        """Where the last character written for ``node`` ends (a block collection ends at its last child)."""
        if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
            return self.last_index(node.value[-1][1])
        if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            return self.last_index(node.value[-1])
        end = int(node.end_mark.index)
        # A block scalar (| or >) ends after its line break; an empty value where its key ended.
        while end > 0 and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def after_line(self, index: int) -> int:
        """The start of the line after the one holding ``index``."""
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def key_column(self, mapping: yaml.MappingNode) -> int:
        return int(mapping.value[0][0].start_mark.column)

    # -- splicing --------------------------------------------------------------------------

    def splice(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]

    def insert_line(self, index: int, line: str) -> str:
        """``line`` as a line of its own at ``index`` (the start of a line, or the end of the text)."""
        lead = "" if index == 0 or self.text[index - 1] == "\n" else self.newline
        return self.splice(index, index, lead + line + self.newline)

    def add_key(self, mapping: yaml.MappingNode, key: str, value: str, block_item: str | None = None) -> str:
        """``key: value`` (or ``key:`` and one block item) at the end of ``mapping``."""
        if mapping.flow_style:
            close = int(mapping.end_mark.index) - 1
            shown = value if block_item is None else f"[{block_item}]"
            return self.splice(close, close, f"{', ' if mapping.value else ''}{key}: {shown}")
        column = self.key_column(mapping) if mapping.value else 0
        at = self.after_line(self.last_index(mapping)) if mapping.value else len(self.text)
        if block_item is None:
            return self.insert_line(at, f"{' ' * column}{key}: {value}")
        item = f"{' ' * (column + 2)}- {block_item}"
        return self.insert_line(at, f"{' ' * column}{key}:{self.newline}{item}")

    def set_value(self, mapping: yaml.MappingNode, key: str, value: str) -> str:
        node = self.value(mapping, key)
        if node is None:
            return self.add_key(mapping, key, value)
        start, end = int(node.start_mark.index), self.last_index(node)
        if start == end:  # an empty value: ``key:`` and nothing after it
            return self.splice(start, end, f" {value}")
        return self.splice(start, end, value)

    def append_item(self, mapping: yaml.MappingNode, key: str, item: str, block: bool) -> str:
        """One more item at the end of the list under ``key`` (made when missing)."""
        node = self.value(mapping, key)
        if node is None:
            return self.add_key(mapping, key, f"[{item}]", block_item=item if block else None)
        if isinstance(node, yaml.SequenceNode) and node.flow_style:
            close = int(node.end_mark.index) - 1
            return self.splice(close, close, f"{', ' if node.value else ''}{item}")
        if isinstance(node, yaml.SequenceNode) and node.value:
            dash = " " * int(node.start_mark.column)
            return self.insert_line(self.after_line(self.last_index(node)), f"{dash}- {item}")
        if isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag.endswith(":null"):
            return self.set_value(mapping, key, f"[{item}]")
        raise EditError(self.path, f"{key}: not a list; edit the story by hand")

    def remove_item(self, mapping: yaml.MappingNode, key: str, index: int) -> str:
        """Remove item ``index`` of the list under ``key``; the key too when it was the only one."""
        node = self.value(mapping, key)
        if not isinstance(node, yaml.SequenceNode) or not 0 <= index < len(node.value):
            raise EditError(self.path, f"{key}[{index}]: no such item")
        items = node.value
        if len(items) == 1 and not mapping.flow_style:
            key_node = self.key_node(mapping, key)
            start = self.line_start(int(key_node.start_mark.index))
            return self.splice(start, self.after_line(self.last_index(node)), "")
        if node.flow_style:
            if index > 0:
                start, end = self.last_index(items[index - 1]), self.last_index(items[index])
            elif len(items) > 1:
                start, end = int(items[0].start_mark.index), int(items[1].start_mark.index)
            else:
                start, end = int(items[0].start_mark.index), self.last_index(items[0])
            return self.splice(start, end, "")
        item = items[index]
        dash = self.text.rfind("-", 0, int(item.start_mark.index))
        return self.splice(self.line_start(dash), self.after_line(self.last_index(item)), "")


def scalar(text: str) -> str:
    """``text`` as a YAML scalar inside a flow collection: plain when it reads back the same, else quoted."""
    plain = " ".join(text.split())
    if plain == text and text:
        try:
            if yaml.safe_load(f"[{text}]") == [text]:
                return text
        except yaml.YAMLError:
            pass
    return '"' + "".join(_escaped(char) for char in text) + '"'


def _escaped(char: str) -> str:
    """One character inside a double-quoted YAML scalar: escaped unless YAML prints it as is."""
    if char in '"\\':
        return "\\" + char
    code = ord(char)
    printable = 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000
    if printable and char not in "\u2028\u2029\ufeff":
        return char
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _numbers(values: Sequence[object]) -> str:
    return "[" + ", ".join(_numbers(v) if isinstance(v, list | tuple) else str(v) for v in values) + "]"


class Edit(ABC):
    """One change to a story's front matter."""

    @abstractmethod
    def describe(self) -> str:
        """What the change does, in a few words (for the studio's message)."""

    @abstractmethod
    def apply(self, data: dict[str, object]) -> None:
        """Make the change on the parsed front matter (a copy): what the file must read as after."""

    @abstractmethod
    def splice(self, source: _Source) -> str:
        """The new front matter text."""


def _photo_data(data: dict[str, object], file: str) -> dict[str, object]:
    photos = data.get("photos")
    for photo in photos if isinstance(photos, list) else []:
        if isinstance(photo, dict) and photo.get("file") == file:
            return photo
    raise KeyError(file)


@dataclass(frozen=True)
class AddRegion(Edit):
    """Redact one more area of a photo: a box or ellipse ``[x, y, w, h]`` or a polygon of points."""

    photo: str
    shape: str  # box, ellipse or polygon
    numbers: tuple[int, ...] | tuple[tuple[int, int], ...]
    reason: str

    def item(self) -> str:
        return f"{{{self.shape}: {_numbers(self.numbers)}, reason: {scalar(self.reason)}}}"

    def describe(self) -> str:
        return f"{self.shape} redacted in {self.photo} ({self.reason})"

    def apply(self, data: dict[str, object]) -> None:
        photo = _photo_data(data, self.photo)
        value = [list(p) if isinstance(p, tuple) else p for p in self.numbers]
        regions = photo.setdefault("regions", [])
        assert isinstance(regions, list)
        regions.append({self.shape: value, "reason": self.reason})

    def splice(self, source: _Source) -> str:
        return source.append_item(source.photo(self.photo), "regions", self.item(), block=True)


@dataclass(frozen=True)
class AddKeep(Edit):
    """Leave a detected region of a photo as photographed: a person said it is no face or text."""

    photo: str
    box: tuple[int, int, int, int]
    reason: str

    def describe(self) -> str:
        return f"region at {list(self.box)} of {self.photo} kept as photographed ({self.reason})"

    def apply(self, data: dict[str, object]) -> None:
        keep = _photo_data(data, self.photo).setdefault("keep", [])
        assert isinstance(keep, list)
        keep.append({"box": list(self.box), "reason": self.reason})

    def splice(self, source: _Source) -> str:
        item = f"{{box: {_numbers(self.box)}, reason: {scalar(self.reason)}}}"
        return source.append_item(source.photo(self.photo), "keep", item, block=True)


@dataclass(frozen=True)
class RemoveKeep(Edit):
    """Take a keep back: the region is redacted again."""

    photo: str
    box: tuple[int, int, int, int]

    def _index(self, photo: dict[str, object]) -> int:
        keep = photo.get("keep")
        for i, entry in enumerate(keep if isinstance(keep, list) else []):
            if isinstance(entry, dict) and entry.get("box") == list(self.box):
                return i
        raise KeyError(f"keep with the box {list(self.box)}")

    def describe(self) -> str:
        return f"region at {list(self.box)} of {self.photo} redacted again"

    def apply(self, data: dict[str, object]) -> None:
        photo = _photo_data(data, self.photo)
        index = self._index(photo)
        keep = photo["keep"]
        assert isinstance(keep, list)
        del keep[index]
        if not keep:
            del photo["keep"]

    def splice(self, source: _Source) -> str:
        index = self._index(_photo_data(source.data, self.photo))
        return source.remove_item(source.photo(self.photo), "keep", index)


@dataclass(frozen=True)
class SetBackground(Edit):
    """Blur or keep what is behind the people in one photo."""

    photo: str
    background: str

    def describe(self) -> str:
        return f"background of {self.photo}: {self.background}"

    def apply(self, data: dict[str, object]) -> None:
        _photo_data(data, self.photo)["background"] = self.background

    def splice(self, source: _Source) -> str:
        return source.set_value(source.photo(self.photo), "background", self.background)


@dataclass(frozen=True)
class SetSubject(Edit):
    """Outline the people of one photo by hand (everything outside is blurred)."""

    photo: str
    points: tuple[tuple[int, int], ...]

    def describe(self) -> str:
        return f"people outlined by hand in {self.photo}"

    def apply(self, data: dict[str, object]) -> None:
        _photo_data(data, self.photo)["subject"] = [list(p) for p in self.points]

    def splice(self, source: _Source) -> str:
        return source.set_value(source.photo(self.photo), "subject", _numbers(self.points))


@dataclass(frozen=True)
class _AddTerm(Edit):
    """One more word on one of the story's lists of words."""

    term: str
    #: The list, and what being on it does to the word.
    key: ClassVar[str]
    effect: ClassVar[str]

    def describe(self) -> str:
        return f"{self.term!r} {self.effect}"

    def apply(self, data: dict[str, object]) -> None:
        terms = data.setdefault(self.key, [])
        assert isinstance(terms, list)
        terms.append(self.term)

    def splice(self, source: _Source) -> str:
        return source.append_item(source.root, self.key, scalar(self.term), block=False)


class AddRedactTerm(_AddTerm):
    """Withhold one more word (a name, a place) everywhere in the exhibition."""

    key = "redact"
    effect = "withheld"


class AddAllowTerm(_AddTerm):
    """Publish one more word as written: a name or place the story names on purpose."""

    key = "allow"
    effect = "published as written"


def _front_matter_span(text: str) -> tuple[int, int]:
    """Where the front matter's text starts and ends (between the ``---`` lines)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise ValueError("no front matter")
    position = start = len(lines[0])
    for line in lines[1:]:
        if line.rstrip() in ("---", "..."):
            return start, position
        position += len(line)
    raise ValueError("front matter is not closed")


def _problems(data: dict[str, object]) -> set[tuple[str, str]]:
    """What the stories' schema says of ``data``'s fields (consent aside: a change never touches it)."""
    fields = Fields()
    read_front_matter(fields, data, Consent(True, True, dt.date.min))
    return set(fields.problems)


def story_sha256(path: Path) -> str:
    """The version of a story file a change is made against."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit_story(path: Path, edit: Edit, shown: str | None = None) -> str:
    """Make ``edit`` to the story at ``path``; return the new file's SHA-256.

    ``shown`` is the SHA-256 of the version the change was made against: when the file is not
    that version any more, nothing is written (``StaleStory``).
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise EditError(path, f"cannot read: {err.strerror or err}") from None
    if shown is not None and hashlib.sha256(raw).hexdigest() != shown:
        raise StaleStory(path, "changed on disk since it was shown: nothing was written; look at it again")
    try:
        decoded = raw.decode("utf-8")
        bom = decoded.startswith(_BOM)
        text = decoded.removeprefix(_BOM)
        start, end = _front_matter_span(text)
        front = text[start:end]
        root = yaml.compose(front, Loader=_StoryLoader)
        before = yaml.load(front, Loader=_StoryLoader)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as err:
        raise EditError(path, f"cannot be changed until it reads as a story ({err}): fix it by hand") from None
    if not isinstance(root, yaml.MappingNode) or not isinstance(before, dict):
        raise EditError(path, "the front matter is not a mapping: fix it by hand")
    source = _Source(path, front, root, "\r\n" if "\r\n" in text else "\n", before)
    expected = copy.deepcopy(before)
    try:
        edit.apply(expected)
    except KeyError as err:
        raise EditError(path, f"{edit.describe()}: no {err.args[0]} in this story") from None
    new = _problems(expected) - _problems(before)
    if new:
        field, message = sorted(new)[0]
        raise EditError(path, f"{edit.describe()}: {field}: {message}")
    new_front = edit.splice(source)
    try:
        after = yaml.load(new_front, Loader=_StoryLoader)
    except yaml.YAMLError:
        after = None
    if after != expected:
        raise EditError(
            path, f"{edit.describe()}: the file is written in a way this change cannot keep; edit it by hand"
        )
    new_text = (_BOM if bom else "") + text[:start] + new_front + text[end:]
    data = new_text.encode("utf-8")
    if len(data) > MAX_STORY_BYTES:
        raise EditError(path, "the change would make the story larger than a story file may be")
    with atomic_output(path) as temporary:
        write_synced(temporary, data)
    return hashlib.sha256(data).hexdigest()
