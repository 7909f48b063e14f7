"""Prove a written file publishable by reading it back from disk.

The file is re-opened as a stranger would: decoded in full, its container walked by the same
inventory that lists an original's metadata (which must now find nothing), and its pixels
compared with the redacted array that was meant to be written, region by region.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from anonymize.config import VerifyMode
from anonymize.image import metadata
from anonymize.image.detect.faces import Face, FaceFinder, FaceSearch
from anonymize.image.detect.text import COVERED, TextFinder, TextLine, TextSearch, seen_in
from anonymize.image.encode import Encoder
from anonymize.image.plan import RedactionPlan
from anonymize.image.redact import unboxed
from anonymize.image.regions import Bounds, Box

# Largest mean absolute difference (0..255) between what was meant and what a lossy file decodes
# to. Fixed-quality JPEG/WebP stay near 1-3 on photographs; a region that came out unredacted
# differs by tens.
LOSSY_TOLERANCE = 8.0
# The same, for every block of 4x4 quarter-size pixels (16x16 in the file) on its own: what the
# encoder did to one spot, not on average.
BLOCK = 4
BLOCK_TOLERANCE = 16.0


@dataclass(frozen=True)
class Check:
    """One verified property of the output."""

    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass(frozen=True)
class Verification:
    """Every check made on one output file."""

    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def to_dict(self) -> dict[str, object]:
        return {"passed": self.passed, "checks": [check.to_dict() for check in self.checks]}


PixelsCheck = Callable[[np.ndarray], Check]


def verify_output(
    path: Path, encoder: Encoder, expected: np.ndarray, plan: RedactionPlan, *more: PixelsCheck
) -> Verification:
    """Read ``path`` back and check it is one clean picture showing ``expected``.

    Each of ``more`` is then run on the decoded pixels (the face search, for one).
    """
    checks: list[Check] = []
    data = path.read_bytes()
    decoded = None
    try:
        with Image.open(io.BytesIO(data), formats=(encoder.format,)) as image:
            image.load()
            checks.extend(_container_checks(data, image, encoder, expected.shape))
            if image.mode == "RGB" and image.size == (expected.shape[1], expected.shape[0]):
                decoded = np.asarray(image)
                checks.append(_pixel_check(decoded, expected, encoder, plan))
    except Exception as err:  # any failure to decode our own output is a failed verification
        checks.append(Check("decodes", False, f"cannot decode the written file: {err}"))
    if decoded is not None:
        checks.extend(check(decoded) for check in more)
    return Verification(tuple(checks))


def face_check(
    finder: FaceFinder,
    found: FaceSearch,
    plan: RedactionPlan,
    mode: VerifyMode,
    again: list[Face] | None = None,
    kept: Callable[[Face], bool] = lambda face: False,
) -> PixelsCheck:
    """A check that every face ``found`` in the picture is redacted and that a new search of the
    decoded file finds no face; any sure face found again fails it (and is put in ``again``),
    unless a person kept it (``kept``: a region they said is not a face).

    In ``changed`` mode each scale is searched again only in windows around the redacted
    regions: everywhere else the file shows the picture the search already went through, as
    the pixel check proves block by block. ``full`` searches everything again.
    """

    def check(decoded: np.ndarray) -> Check:
        height, width = decoded.shape[:2]
        uncovered = [face for face in found.faces if plan.covered(Box(*face.box), width, height) < 1.0]
        if uncovered:
            boxes = ", ".join(str(list(face.box)) for face in uncovered)
            return Check("no_faces", False, f"{len(uncovered)} face(s) found but not wholly redacted: {boxes}")
        near = None if mode is VerifyMode.FULL else [planned.bounds for planned in plan.regions]
        if near == []:
            return Check("no_faces", True, "no face found, nothing redacted: the file shows the searched picture")
        search = finder.search(decoded, near)
        left = [face for face in search.faces if face.sure and not kept(face)]
        if again is not None:
            again.extend(left)
        scope = f"{sum(scan.tiles for scan in search.scans)} tile(s) searched again"
        if near is not None:
            finest = min(scan.searched[0] for scan in search.scans)
            scope += f", around the redacted regions ({finest:.0%} of the finest scale)"
        if left:
            boxes = ", ".join(f"{f.best.detector} {f.best.score:.2f} at {list(f.box)}" for f in left)
            return Check("no_faces", False, f"{len(left)} face(s) found in the written file ({boxes}); {scope}")
        return Check("no_faces", True, f"every face found is redacted; none found in the written file; {scope}")

    return check


def search_after_redaction(
    finder: TextFinder, pixels: np.ndarray, plan: RedactionPlan, near: Sequence[Bounds] | None
) -> TextSearch:
    """The lines of text a redacted picture shows: those found in it as it is that a search with
    each region filled from the colours around it (``unboxed``) finds too.

    Writing left beside a redaction (the rest of a half-covered sign) is the same pixels in
    both, and is found in both. What is found in one only is the search's reading of the fill:
    a row of black boxes on a light car looks like a line of huge letters, and a head blurred
    smooth can make a uniform's straps below it look like writing.
    """
    shown = finder.search(pixels, near)
    height, width = pixels.shape[:2]
    if all(plan.covered(line.polygon(), width, height) >= COVERED for line in shown.lines):
        # Lines already redacted are every caller's to drop; what the filled picture shows can
        # only take lines away, so none is left either way: it need not be searched.
        return shown
    filled = finder.search(unboxed(pixels, plan), near)
    return replace(shown, lines=tuple(seen_in(shown.lines, filled.lines)), tiles=shown.tiles + filled.tiles)


def read_back(data: bytes, encoder: Encoder) -> np.ndarray:
    """The pixels a viewer decodes from ``data``, an encoding of an RGB picture."""
    with Image.open(io.BytesIO(data), formats=(encoder.format,)) as image:
        pixels: np.ndarray = np.asarray(image.convert("RGB"))
    return pixels


def text_check(
    finder: TextFinder,
    found: TextSearch,
    plan: RedactionPlan,
    mode: VerifyMode,
    again: list[TextLine] | None = None,
    kept: Callable[[TextLine], bool] = lambda line: False,
    searched: tuple[np.ndarray, TextSearch] | None = None,
) -> PixelsCheck:
    """A check that every line of text ``found`` is wholly redacted and that a new search of the
    decoded file finds no sure line of text that is not (those are put in ``again``), unless a
    person kept it (``kept``): around the redacted regions in ``changed`` mode (elsewhere the
    file shows the searched picture), everywhere in ``full`` mode.

    ``searched``: pixels and what ``search_after_redaction`` found in them around every region of
    ``plan``. When the decoded file shows exactly those pixels, that search is this check's: the
    same search of the same pixels would find the same lines."""

    def check(decoded: np.ndarray) -> Check:
        height, width = decoded.shape[:2]
        uncovered = [line for line in found.lines if plan.covered(line.polygon(), width, height) < 1.0]
        if uncovered:
            return Check("no_text", False, f"{len(uncovered)} line(s) of text found but not wholly redacted")
        near = None if mode is VerifyMode.FULL else [planned.bounds for planned in plan.regions]
        if near == []:
            return Check("no_text", True, "no text found, nothing redacted: the file shows the searched picture")
        if near is not None and searched is not None and np.array_equal(searched[0], decoded):
            search = searched[1]
        else:
            search = search_after_redaction(finder, decoded, plan, near)
        left = [
            line
            for line in search.lines
            if line.sure and plan.covered(line.polygon(), width, height) < COVERED and not kept(line)
        ]
        if again is not None:
            again.extend(left)
        scope = f"{search.tiles} tile(s) searched again" + (" around the redacted regions" if near else "")
        if left:
            where = ", ".join(f"{line.score:.2f} at {line.polygon().describe()}" for line in left)
            return Check("no_text", False, f"{len(left)} line(s) of text found in the written file ({where}); {scope}")
        return Check("no_text", True, f"every line of text found is redacted; none found in the written file; {scope}")

    return check


def _container_checks(data: bytes, image: Image.Image, encoder: Encoder, shape: tuple[int, ...]) -> list[Check]:
    height, width = shape[:2]
    frames = getattr(image, "n_frames", 1)
    leftovers = [f"{item.group}:{item.name}" for item in metadata.inspect(data, image.format or "?", image)]
    leftovers += [f"decoder info {key}" for key in sorted(set(image.info) - encoder.structural_info)]
    if len(image.getexif()):
        leftovers.append(f"{len(image.getexif())} EXIF tag(s)")
    return [
        Check("decodes", image.format == encoder.format, f"decoded as {image.format}"),
        Check("single_image", frames == 1, f"{frames} image(s) in the file"),
        Check("size", image.size == (width, height), f"{image.size[0]}x{image.size[1]}, expected {width}x{height}"),
        Check("mode", image.mode == "RGB", f"mode {image.mode}"),
        Check("no_metadata", not leftovers, "; ".join(leftovers) or "none found"),
    ]


def _pixel_check(decoded: np.ndarray, expected: np.ndarray, encoder: Encoder, plan: RedactionPlan) -> Check:
    """The file shows the redacted picture: everywhere, in every spot, inside every region.

    Lossy coding of a noisy photo (a dim room at high ISO) differs from the array pixel by pixel
    but not in its shapes, so the picture is compared at a quarter of its size: as a whole, and
    in every 16x16 block on its own with a looser bound, so that no spot of the file may show
    something else (this is what lets the face check skip the parts redaction did not touch).
    Redacted regions are smooth by construction and are compared at full size.
    """
    if encoder.lossless:
        mismatched = int(np.count_nonzero(cv2.absdiff(decoded, expected).max(axis=2)))
        return Check("pixels", mismatched == 0, f"{mismatched} pixel(s) differ from the redacted picture")
    quarter_diff = cv2.absdiff(_quarter(decoded), _quarter(expected))
    worst = ("whole picture", _mean(quarter_diff))
    for planned in plan.regions:
        x0, y0, x1, y1 = planned.bounds
        error = float(cv2.absdiff(decoded[y0:y1, x0:x1], expected[y0:y1, x0:x1])[planned.mask()].mean())
        if error > worst[1]:
            worst = (f"region {planned.index}", error)
    block, at = _worst_block(quarter_diff)
    passed = worst[1] <= LOSSY_TOLERANCE and block <= BLOCK_TOLERANCE
    return Check(
        "pixels",
        passed,
        f"largest mean difference from the redacted picture {worst[1]:.2f} ({worst[0]}), allowed {LOSSY_TOLERANCE:g}; "
        f"in any 16x16 block {block:.2f} (at {at[0]},{at[1]}), allowed {BLOCK_TOLERANCE:g}",
    )


def _worst_block(diff: np.ndarray) -> tuple[float, tuple[int, int]]:
    """The largest mean over any BLOCK x BLOCK block of a quarter-size difference, and where (in the file)."""
    height, width = diff.shape[:2]
    rows, cols = -(-height // BLOCK), -(-width // BLOCK)
    padded = cv2.copyMakeBorder(diff, 0, rows * BLOCK - height, 0, cols * BLOCK - width, cv2.BORDER_REFLECT_101)
    # An exact-multiple INTER_AREA shrink is the block mean (rounded to whole levels).
    means = cv2.resize(padded, (cols, rows), interpolation=cv2.INTER_AREA).astype(np.float32).mean(axis=2)
    row, col = np.unravel_index(int(np.argmax(means)), means.shape)
    return float(means[row, col]), (int(col) * BLOCK * 4, int(row) * BLOCK * 4)


def _quarter(picture: np.ndarray) -> np.ndarray:
    height, width = picture.shape[:2]
    size = (max(1, width // 4), max(1, height // 4))
    small: np.ndarray = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
    return small


def _mean(diff: np.ndarray) -> float:
    return float(np.mean(cv2.mean(diff)[:3]))
