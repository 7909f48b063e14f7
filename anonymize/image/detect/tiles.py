"""Cutting a picture into shrunk levels and overlapping tiles, for detectors with a fixed view."""

from __future__ import annotations

import math

import cv2
import numpy as np

Bounds = tuple[int, int, int, int]  # x0, y0, x1, y1


def tile_spans(length: int, tile: int, overlap: int) -> list[tuple[int, int]]:
    """(start, end) of the fewest tiles of at most ``tile`` pixels covering ``length``, neighbours
    sharing at least ``overlap`` pixels; tiles are made as small as that allows."""
    if length <= tile:
        return [(0, length)]
    count = math.ceil((length - overlap) / (tile - overlap))
    size = math.ceil((length + (count - 1) * overlap) / count)
    starts = [round(i * (length - size) / (count - 1)) for i in range(count)]
    return [(start, start + size) for start in starts]


class Levels:
    """Shrunk copies of one picture, each made from the smallest larger copy already made."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self.made: dict[tuple[int, int], np.ndarray] = {}

    def at(self, scale: float) -> np.ndarray:
        height, width = self.pixels.shape[:2]
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if size == (width, height):
            return self.pixels
        if size not in self.made:
            larger = [s for s in self.made if s[0] >= 2 * size[0] and s[1] >= 2 * size[1]]
            source = self.made[min(larger)] if larger and scale < 1 else self.pixels
            interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
            self.made[size] = cv2.resize(source, size, interpolation=interpolation)
        return self.made[size]


def union(boxes: list[Bounds]) -> list[Bounds]:
    """Merge overlapping boxes until none overlap (each merge keeps both boxes' bounding box)."""
    merged = sorted(boxes)
    changed = True
    while changed:
        changed = False
        result: list[Bounds] = []
        for box in merged:
            for i, other in enumerate(result):
                if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]:
                    result[i] = (
                        min(box[0], other[0]),
                        min(box[1], other[1]),
                        max(box[2], other[2]),
                        max(box[3], other[3]),
                    )
                    changed = True
                    break
            else:
                result.append(box)
        merged = result
    return merged
