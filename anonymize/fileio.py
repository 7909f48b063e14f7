"""Atomic file output: a file appears complete and checked, or not at all."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output(destination: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``destination``; move it into place only if the block succeeds.

    The temporary file lives in the destination's folder so the final rename is atomic; it is
    hidden (leading dot) and removed on any failure, so an interrupted or rejected write never
    leaves a partial or unverified file where the output belongs. Folders created for it are
    removed again on failure.
    """
    missing = [folder for folder in (destination.parent, *destination.parent.parents) if not folder.exists()]
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=destination.parent, prefix=".anonymize-", suffix=".part")
    os.close(fd)
    temporary = Path(name)
    done = False
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, destination)
        done = True
    finally:
        temporary.unlink(missing_ok=True)
        if not done:
            for folder in missing:  # innermost first; never a folder that holds anything
                with contextlib.suppress(OSError):
                    folder.rmdir()


def json_sha256(value: object) -> str:
    """The SHA-256 of ``value`` as canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_synced(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and flush it to disk before returning."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
