"""Model files checked against the hash a release was measured with, and ONNX Runtime sessions.

Every model anonymize runs is read from an installed package (never downloaded); a different
file would silently change what the tool finds, so its SHA-256 is checked before use.
"""

from __future__ import annotations

import hashlib
from typing import Any

from anonymize.errors import AnonymizeError


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


def session(model: bytes, threads: int = 0) -> Any:
    """A quiet CPU session for ``model`` (serialized ONNX); ``threads`` 0: ONNX Runtime's choice."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
