"""The installed tool needs no system library, and one OpenCV wheel."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import cv2
import onnxruntime
import pi_heif
import pytest
import rawpy

#: Libraries of a desktop that a minimal server or container lacks (``apt-get install libgl1``
#: was a README caveat while anonymize used opencv-python).
DESKTOP = re.compile(r"^lib(GL|EGL|GLX|gthread|glib|gtk|gdk|X11|xcb|Qt)\b")


def test_one_cv2_wheel_and_it_is_the_headless_one() -> None:
    assert distribution("opencv-python-headless").version
    for other in ("opencv-python", "opencv-contrib-python"):
        # Two cv2 wheels overwrite each other's files; the other ones need libGL.
        with pytest.raises(PackageNotFoundError):
            distribution(other)


@pytest.mark.skipif(shutil.which("ldd") is None, reason="ldd lists what a shared library loads")
@pytest.mark.parametrize("module", [cv2, onnxruntime, pi_heif, rawpy], ids=lambda m: m.__name__)
def test_native_code_loads_no_desktop_library(module: object) -> None:
    folder = Path(str(getattr(module, "__file__", ""))).parent
    libraries = [p for p in folder.parent.glob(f"{folder.name}*/**/*.so*") if p.is_file()]
    libraries += [p for p in folder.parent.glob(f"_{folder.name}*.so") if p.is_file()]
    assert libraries, f"no shared library found beside {folder}"
    for library in libraries:
        listed = subprocess.run(["ldd", str(library)], capture_output=True, text=True, check=False).stdout
        needed = [line.split()[0] for line in listed.splitlines() if "=>" in line]
        assert not [name for name in needed if DESKTOP.match(name)], f"{library.name} loads {needed}"
