"""One photo, original in, verified publishable file out: load → find → decide → redact → encode → verify.

Each stage takes the previous stage's value and returns a new one; the report at the end is
built from those values only. Faces found become region requests beside the manual ones; the
same face search runs again on the written file as part of its verification.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anonymize import __version__
from anonymize.config import ImageSettings
from anonymize.errors import AnonymizeError, InputError, VerificationError
from anonymize.fileio import atomic_output, write_synced
from anonymize.image.detect.faces import Face, FaceFinder, FaceSearch
from anonymize.image.encode import Encoder, check_fits, encoder_for
from anonymize.image.load import ORIENTATIONS, LoadedImage, load_image
from anonymize.image.plan import RedactionPlan, RegionRequest, plan_redactions
from anonymize.image.redact import STYLES, redact
from anonymize.image.verify import Verification, face_check, verify_output

FACE = "face"
POSSIBLE_FACE = "possible face"


@dataclass(frozen=True)
class Output:
    """The published file, as verified."""

    sha256: str
    format: str
    size: tuple[int, int]
    byte_count: int


@dataclass(frozen=True)
class ImageReport:
    """Everything the curator needs to know about one photo; names of metadata, never values."""

    image: LoadedImage
    faces: FaceSearch
    plan: RedactionPlan
    style: str
    verification: Verification
    output: Output | None

    @property
    def review(self) -> list[int]:
        """Numbers of the regions a person should look at: faces the detectors were unsure of."""
        return [p.index for p in self.plan.regions if p.request.reason == POSSIBLE_FACE]

    def to_dict(self) -> dict[str, object]:
        source = self.image.source
        width, height = self.image.size
        orientation = self.image.orientation
        return {
            "tool": {"name": "anonymize", "version": __version__},
            "input": {
                "sha256": source.sha256,
                "format": source.format,
                "stored_size": {"width": source.stored_size[0], "height": source.stored_size[1]},
                "mode": source.mode,
                "bytes": source.byte_count,
                "icc_profile": source.icc_profile,
            },
            "displayed_size": {"width": width, "height": height},
            "orientation": {
                "exif_value": orientation,
                "applied": ORIENTATIONS[orientation][1] if orientation in ORIENTATIONS else "none",
            },
            "style": self.style,
            "faces": self._faces(),
            "review": self.review,
            "regions": [planned.to_dict() for planned in self.plan.regions],
            "metadata_removed": [item.to_dict() for item in self.image.metadata],
            "warnings": list(self.image.warnings),
            "output": None
            if self.output is None
            else {
                "sha256": self.output.sha256,
                "format": self.output.format,
                "size": {"width": self.output.size[0], "height": self.output.size[1]},
                "bytes": self.output.byte_count,
            },
            "verification": self.verification.to_dict(),
        }

    def _faces(self) -> dict[str, object]:
        first = len(self.plan.regions) - len(self.faces.faces) + 1  # faces come after manual regions
        found = [{"region": first + i, **face.to_dict()} for i, face in enumerate(self.faces.faces)]
        return {**self.faces.to_dict(), "found": found}


def face_requests(faces: FaceSearch) -> list[RegionRequest]:
    """One head-sized region per face; faces no detector was sure of are marked for review."""
    return [RegionRequest(face.head(), FACE if face.sure else POSSIBLE_FACE, _source(face)) for face in faces.faces]


def _source(face: Face) -> str:
    best: dict[str, float] = {}
    for d in face.detections:
        best[d.detector] = max(best.get(d.detector, 0.0), d.score)
    return "detector: " + ", ".join(f"{name} {score:.2f}" for name, score in sorted(best.items(), key=lambda i: -i[1]))


class PhotoVerificationError(VerificationError):
    """Raised by the pipeline when the written photo fails verification; carries the report."""

    def __init__(self, path: Path, report: ImageReport) -> None:
        reasons = "; ".join(f"{c.name}: {c.detail}" for c in report.verification.failures)
        super().__init__(path, f"verification failed, nothing written ({reasons})")
        self.report = report


def _same_file(a: Path, b: Path) -> bool:
    if os.path.abspath(a) == os.path.abspath(b) or a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def anonymize_image(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    regions: Sequence[RegionRequest] = (),
    settings: ImageSettings | None = None,
) -> ImageReport:
    """Make ``destination`` a verified, metadata-free, redacted rendering of ``source``.

    Raises ``InputError`` for anything wrong with the request or the original, and
    ``PhotoVerificationError`` when the written file cannot be proven clean; in both cases no
    file is left at ``destination`` by this call and ``source`` is untouched.
    """
    settings = settings or ImageSettings()
    source, destination = Path(source), Path(destination)
    encoder: Encoder = encoder_for(destination)
    if _same_file(source, destination):
        raise InputError(destination, "output is the input; originals are never overwritten")
    if destination.is_dir():
        raise InputError(destination, "output is a directory; give a file name ending in .jpg, .png or .webp")
    try:
        style = STYLES[settings.style]
    except KeyError:
        raise InputError(None, f"unknown redaction style {settings.style!r} (known: {', '.join(STYLES)})") from None

    try:
        finder = FaceFinder.from_settings(settings.faces)
    except ValueError as err:
        raise InputError(None, str(err)) from None

    image = load_image(source, settings)
    check_fits(encoder, destination, image.size)
    faces = finder.search(image.pixels)
    plan = plan_redactions(image, [*regions, *face_requests(faces)])
    redacted = redact(image.pixels, plan, style, seed=image.source.sha256)
    try:
        data = encoder.encode(redacted)
    except (OSError, ValueError) as err:
        raise AnonymizeError(destination, f"cannot encode: {err}") from None

    try:
        with atomic_output(destination) as temporary:
            write_synced(temporary, data)
            verification = verify_output(
                temporary, encoder, redacted, plan, face_check(finder, faces, plan, settings.faces.verify)
            )
            if not verification.passed:
                report = ImageReport(image, faces, plan, style.name, verification, None)
                raise PhotoVerificationError(destination, report)
    except OSError as err:
        raise InputError(destination, f"cannot write: {err.strerror or err}") from None
    output = Output(hashlib.sha256(data).hexdigest(), encoder.format, image.size, len(data))
    return ImageReport(image, faces, plan, style.name, verification, output)
