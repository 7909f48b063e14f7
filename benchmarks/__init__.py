"""Benchmarks: scripts that measure and print ratios (``python -m benchmarks.NAME``).

They make their photos with the tests' generators (public-domain portraits from scikit-image
and matplotlib, painted scenes), so they need the test extra, not only the quick start's
install; without it each says so in one line instead of failing on an import.
"""

from __future__ import annotations

import importlib.util
import sys

_TEST_EXTRA = ("skimage", "matplotlib", "piexif")
_missing = [name for name in _TEST_EXTRA if importlib.util.find_spec(name) is None]
if _missing:
    sys.exit(
        f"benchmarks: {', '.join(_missing)} missing: the benchmarks need the test extra "
        "(.venv/bin/pip install -e '.[test]')"
    )
