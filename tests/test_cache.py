"""The content-addressed store: entries whole or not at all, damage found and undone, pruning, the lock."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from anonymize.cache import ENTRY, Cache, held, key_of, tool_identity
from anonymize.errors import AnonymizeError


def stored(cache: Cache, key: str, files: dict[str, bytes], data: dict[str, object] | None = None) -> Path:
    scratch = cache.scratch()
    for name, content in files.items():
        (scratch / name).write_bytes(content)
    entry = cache.put(key, data or {"what": "test"}, {name: scratch / name for name in files})
    return entry.files[next(iter(files))].parent if files else cache.root


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache" / "pictures")


def test_keys_are_the_hash_of_canonical_parts() -> None:
    assert key_of({"a": 1, "b": [1, 2]}) == key_of({"b": [1, 2], "a": 1})
    assert key_of({"a": 1}) != key_of({"a": 2})
    identity = tool_identity()
    assert set(identity) == {"anonymize", "files", "python", "libraries"}
    assert len(str(identity["files"])) == 64 and identity["libraries"]["pillow"]  # type: ignore[index]


def test_an_entry_reads_back_as_it_was_put(cache: Cache) -> None:
    key = key_of({"n": 1})
    folder = stored(cache, key, {"a.jpg": b"A" * 100, "b.jpg": b"B"}, {"report": {"x": [1, 2.5]}})
    entry = Cache(cache.root).get(key)  # a new run, reading what the last one left
    assert entry is not None
    assert entry.data == {"report": {"x": [1, 2.5]}}
    assert {name: path.read_bytes() for name, path in entry.files.items()} == {"a.jpg": b"A" * 100, "b.jpg": b"B"}
    assert sorted(p.name for p in folder.iterdir()) == ["a.jpg", "b.jpg", ENTRY]
    assert not any((cache.root / "tmp").glob("*/*"))  # moved out of the scratch folder, not copied
    assert Cache(cache.root).get(key_of({"n": 2})) is None


@pytest.mark.parametrize(
    "damage",
    [
        "flip a byte",
        "truncate a file",
        "remove a file",
        "add a file",
        "truncate the listing",
        "remove the listing",
        "another key's listing",
    ],
)
def test_a_damaged_entry_is_unknown_and_removed(cache: Cache, damage: str) -> None:
    key, other = key_of({"n": 1}), key_of({"n": 2})
    folder = stored(cache, key, {"a.jpg": b"\xff\xd8" + bytes(range(256)) * 4})
    picture, listing = folder / "a.jpg", folder / ENTRY
    if damage == "flip a byte":
        data = bytearray(picture.read_bytes())
        data[100] ^= 1
        picture.write_bytes(bytes(data))
    elif damage == "truncate a file":
        picture.write_bytes(picture.read_bytes()[:-10])
    elif damage == "remove a file":
        picture.unlink()
    elif damage == "add a file":
        (folder / "extra.jpg").write_bytes(b"x")
    elif damage == "truncate the listing":
        listing.write_bytes(listing.read_bytes()[:40])
    elif damage == "remove the listing":  # a write interrupted before its last step
        listing.unlink()
    else:
        document = json.loads(listing.read_text())
        listing.write_text(json.dumps({**document, "key": other}))
    fresh = Cache(cache.root)
    assert fresh.get(key) is None
    assert not folder.exists() and fresh.corrupt == {key}
    stored(fresh, key, {"a.jpg": b"again"})  # made again, in its place
    assert Cache(cache.root).get(key) is not None


def test_prune_keeps_what_this_run_used_and_nothing_else(cache: Cache) -> None:
    keys = [key_of({"n": n}) for n in range(3)]
    for key in keys:
        stored(cache, key, {"a.jpg": key.encode()})
    (cache.root / "tmp" / "left-by-a-crash").mkdir(parents=True)
    run = Cache(cache.root)
    assert run.get(keys[0]) is not None
    stored(run, key_of({"n": 9}), {"b.jpg": b"new"})
    assert run.prune() == 2
    remaining = {p.name for p in (cache.root / "entries").glob("*/*")}
    assert remaining == {keys[0], key_of({"n": 9})}
    assert not (cache.root / "tmp").exists()


def test_file_names_cannot_leave_the_entry(cache: Cache) -> None:
    scratch = cache.scratch()
    (scratch / "a").write_bytes(b"a")
    with pytest.raises(ValueError, match="not a file name"):
        cache.put(key_of({}), {}, {"../a": scratch / "a"})


def test_the_folder_is_ignored_by_git_and_held_by_one_build(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    folder = tmp_path / ".anonymize-cache"
    with held(folder):
        stored(Cache(folder / "pictures"), key_of({}), {"a.jpg": b"a"})
        with pytest.raises(AnonymizeError, match="another build is using this cache"), held(folder):
            pass
    with held(folder):  # released
        pass
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=tmp_path, capture_output=True)
    assert status.stdout == b""
    assert (folder / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
