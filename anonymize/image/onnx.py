"""Model files checked against the hash a release was measured with, and ONNX Runtime sessions.

Every model anonymize runs is read from an installed package (never downloaded); a different
file would silently change what the tool finds, so its SHA-256 is checked before use.

ONNX Runtime keeps the memory of its largest run in an arena for the next one: fast across the
tiles of one search, but the arena of a 1024-pixel tile holds a few hundred MB. A search gives
it back when it is done (``Model.release``), so a worker's memory between searches is the
pictures it holds, not the largest tile it ever ran.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from anonymize.errors import AnonymizeError

#: Threads each model may use; 0 is ONNX Runtime's choice (every core). A pool of worker
#: processes sets 1, so that the workers, not the models, share the cores.
_threads = 0


def use_threads(threads: int) -> None:
    """Threads for the models this process loads from now on (0: every core)."""
    global _threads
    _threads = threads


def share_cores() -> None:
    """Run this process's models and OpenCV on one thread each: for a worker of a pool, where
    the workers, not the libraries, share the cores."""
    import cv2

    cv2.setNumThreads(1)
    use_threads(1)


def checked(data: bytes, expected_sha256: str, what: str) -> bytes:
    """``data`` if its SHA-256 is the expected one; otherwise an error naming ``what`` it is."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise AnonymizeError(
            None,
            f"{what} is not the one this release was measured with (sha256 {digest[:16]}…); "
            "install the version anonymize requires",
        )
    return data


class Model:
    """A quiet CPU session of a serialized ONNX model, whose memory can be given back."""

    def __init__(self, model: bytes) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = _threads
        self._session: Any = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self._release = onnxruntime.RunOptions()
        self._release.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        first = self._session.get_inputs()[0]
        self.input: str = first.name
        # The smallest run there is: every free dimension 32 (a multiple of any stride).
        self._tiny = np.zeros([d if isinstance(d, int) else 32 for d in first.shape], np.float32)

    def run(self, outputs: Sequence[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        result: list[np.ndarray] = self._session.run(None if outputs is None else list(outputs), feeds)
        return result

    def release(self) -> None:
        """Give back the arena's memory: a tiny run that shrinks it to what that run needs."""
        self._session.run(None, {self.input: self._tiny}, self._release)
