"""One photo, original in, verified publishable file out: load → find → decide → redact → encode → verify.

Each stage takes the previous stage's value and returns a new one; the report at the end is
built from those values only. With a blurred background, the people are found first and
everything else is blurred, and the searches look at that treated picture: what is searched is
what is shown. Faces and lines of text found become region requests beside the manual ones,
redacted on top. The same searches run again on the written file as part of its verification.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from anonymize import __version__
from anonymize.config import Background, ImageSettings
from anonymize.errors import AnonymizeError, InputError, VerificationError
from anonymize.fileio import atomic_output, write_synced
from anonymize.image.background import find_subject, treat_background
from anonymize.image.detect.faces import Face, FaceFinder, FaceSearch
from anonymize.image.detect.text import COVERED, TextFinder, TextLine, TextSearch
from anonymize.image.encode import Encoder, check_fits, encoder_for
from anonymize.image.load import ORIENTATIONS, ImageInfo, load_image
from anonymize.image.plan import (
    Keeper,
    KeepRequest,
    KeptRegion,
    RedactionPlan,
    RegionRequest,
    face_request,
    face_requests,
    plan_redactions,
    text_request,
    text_requests,
)
from anonymize.image.reasons import REVIEW
from anonymize.image.redact import STYLES, redact
from anonymize.image.regions import Polygon
from anonymize.image.verify import (
    Verification,
    face_check,
    read_back,
    search_after_redaction,
    text_check,
    verify_output,
)

#: Searches for text left legible beside what was redacted, after the first.
#: Each box can make the detector see "writing" at its own edge on busy texture, a few rounds
#: of creeping false text before it settles (benchmarks.scale: 1 frame in 100 needed 5).
TEXT_ROUNDS = 6
#: Times the written file may be made again when verification finds a face or a line of text
#: that only the written file shows, before the photo is refused.
VERIFY_ROUNDS = 3


class _NotClean(Exception):
    """Verification failed: the file is not moved into place."""


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

    image: ImageInfo
    faces: FaceSearch
    text: TextSearch | None
    #: What was done behind the people: ``{"treatment": "keep"}`` or the blur and its mask.
    background: dict[str, object]
    plan: RedactionPlan
    style: str
    verification: Verification
    output: Output | None
    #: Detected regions a person said are not a face or not text, left as photographed.
    kept: tuple[KeptRegion, ...] = ()

    @property
    def review(self) -> list[int]:
        """Numbers of the regions a person should look at: faces or text the detectors were unsure of."""
        return [p.index for p in self.plan.regions if p.request.reason in REVIEW]

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
            "text": self._text(),
            "background": self.background,
            "review": self.review,
            "regions": [planned.to_dict() for planned in self.plan.regions],
            "kept": [kept.to_dict() for kept in self.kept],
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
        # Manual regions come first, then faces, then text.
        first = len(self.plan.regions) - len(self.faces.faces) - len(self.text.lines if self.text else ()) + 1
        found = [{"region": first + i, **face.to_dict()} for i, face in enumerate(self.faces.faces)]
        return {**self.faces.to_dict(), "found": found}

    def _text(self) -> dict[str, object]:
        if self.text is None:
            return {"searched": False}
        first = len(self.plan.regions) - len(self.text.lines) + 1
        found = [{"region": first + i, **line.to_dict()} for i, line in enumerate(self.text.lines)]
        return {"searched": True, **self.text.to_dict(), "found": found}


class PhotoVerificationError(VerificationError):
    """Raised by the pipeline when the written photo fails verification; carries the report."""

    def __init__(self, path: Path, report: ImageReport, rounds: int = 0) -> None:
        """``rounds``: how many times the file was made with what its searches kept finding."""
        failures = report.verification.failures
        reasons = "; ".join(f"{c.name}: {c.detail}" for c in failures)
        advice = ""
        if rounds:
            advice = (
                f"; still found after {rounds} rounds of redaction: draw a region over it (a story's"
                " photo regions:, or --region with anonymize image) and build again"
            )
        super().__init__(path, f"verification failed, nothing written ({reasons}){advice}")
        self.report = report


def _encoded(encoder: Encoder, pixels: np.ndarray, destination: Path) -> bytes:
    try:
        return encoder.encode(pixels)
    except (OSError, ValueError) as err:
        raise AnonymizeError(destination, f"cannot encode: {err}") from None


def _check_destination(source: Path, destination: Path) -> None:
    if _same_file(source, destination):
        raise InputError(destination, "output is the input; originals are never overwritten")
    if destination.is_dir():
        raise InputError(destination, "output is a directory; give a file name ending in .jpg, .png or .webp")


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
    subject: Sequence[Polygon] = (),
    keep: Sequence[KeepRequest] = (),
    published: int | None = None,
) -> ImageReport:
    """Make ``destination`` a verified, metadata-free, redacted rendering of ``source``.

    With ``settings.background`` blur, everything outside the people is blurred beyond
    recognition; ``subject`` polygons, when given, say where the people are instead of the
    segmentation model. Each of ``keep`` names a detected region a person says is not a face or
    not text: it is left as photographed and not searched again, and one that matches no
    detection any more stops the photo (``InputError`` naming its source).

    Raises ``InputError`` for anything wrong with the request or the original, and
    ``PhotoVerificationError`` when the written file cannot be proven clean; in both cases no
    file is left at ``destination`` by this call and ``source`` is untouched.

    ``published``: the widest the picture will be published, when it is smaller than the
    picture; faces and text too small to matter at that width are not searched for
    (``ImageSettings.for_published``). ``destination`` is still written at full size.
    """
    settings = settings or ImageSettings()
    source, destination = Path(source), Path(destination)
    encoder: Encoder = encoder_for(destination)
    _check_destination(source, destination)
    try:
        style = STYLES[settings.style]
    except KeyError:
        raise InputError(None, f"unknown redaction style {settings.style!r} (known: {', '.join(STYLES)})") from None

    try:
        finder = FaceFinder.from_settings(settings.faces)
        text_finder = TextFinder(settings.text.min_text) if settings.text.enabled else None
    except ValueError as err:
        raise InputError(None, str(err)) from None

    loaded = load_image(source, settings)
    image = loaded.info
    searched = settings.for_published(image.size[0], published)
    if searched is not settings:
        finder = FaceFinder.from_settings(searched.faces)
        text_finder = TextFinder(searched.text.min_text) if text_finder is not None else None
    check_fits(encoder, destination, image.size)
    # With a blurred background, what is searched is what will be shown: the treated picture.
    found = find_subject(loaded, subject) if settings.background is Background.BLUR else None
    treated = loaded.pixels if found is None else treat_background(loaded.pixels, found, seed=image.source.sha256)
    background: dict[str, object] = {"treatment": Background.KEEP.value} if found is None else found.to_dict()
    # Past this point only the treated picture is needed: the original's pixels and the mask
    # are let go, so a large frame is held once, not three times, while it is redacted.
    del loaded, found
    keeper = Keeper(keep, image.size)
    faces = _unkept_faces(finder.search(treated), keeper)
    text = _unkept_text(text_finder.search(treated), keeper) if text_finder is not None else None
    plan = plan_redactions(image, [*regions, *face_requests(faces), *text_requests(text)])
    redacted = redact(treated, plan, style, seed=image.source.sha256)
    data = _encoded(encoder, redacted, destination)
    # The last round's search, when it found nothing new: the file it read is the file written.
    settled: tuple[np.ndarray, TextSearch] | None = None
    for _ in range(TEXT_ROUNDS if text_finder is not None and plan.regions else 0):
        # Covering part of a sign can leave the rest of it legible as a line of its own: search
        # again around what was redacted until nothing new is found. The search reads the
        # encoded file, as verification will: compression can sharpen an edge into "writing".
        assert text is not None and text_finder is not None
        shown = read_back(data, encoder)
        again = search_after_redaction(text_finder, shown, plan, [p.bounds for p in plan.regions])
        width, height = image.size
        new = [
            line
            for line in again.lines
            if plan.covered(line.polygon(), width, height) < COVERED and not keeper.overrules(text_request(line))
        ]
        if not new:
            settled = (shown, again)
            break
        del shown
        text = text.adding(TextSearch(tuple(new), again.scales, again.tiles, again.min_text))
        plan = plan_redactions(image, [*regions, *face_requests(faces), *text_requests(text)])
        redacted = redact(treated, plan, style, seed=image.source.sha256)
        data = _encoded(encoder, redacted, destination)
    del treated  # a round below redacts the redacted picture again: one frame held, not two

    for round_ in range(1, VERIFY_ROUNDS + 1):
        faces_again: list[Face] = []
        text_again: list[TextLine] = []
        checks = [face_check(finder, faces, plan, settings.faces.verify, faces_again, _face_kept(keeper))]
        if text_finder is not None and text is not None:
            checks.append(
                text_check(text_finder, text, plan, settings.faces.verify, text_again, _line_kept(keeper), settled)
            )
        try:
            with atomic_output(destination) as temporary:
                write_synced(temporary, data)
                verification = verify_output(temporary, encoder, redacted, plan, *checks)
                if not verification.passed:
                    raise _NotClean
                unmatched = keeper.unmatched()
                if unmatched:
                    first = unmatched[0]
                    raise InputError(
                        None,
                        f"{first.source}: no face or text found has the box {list(first.box)} any more (the"
                        " photo or the detectors changed): copy the region's box from the report again, or"
                        " remove the keep",
                    )
        except OSError as err:
            raise InputError(destination, f"cannot write: {err.strerror or err}") from None
        except _NotClean:
            # A face or a line found only in the written file (the edge of a redaction and a
            # neck can look like a face) is redacted as well and the file made again, a few
            # rounds at most; anything else that fails, or a search that does not settle, fails.
            only_found = all(check.name in ("no_faces", "no_text") for check in verification.failures)
            if round_ == VERIFY_ROUNDS or not only_found or not (faces_again or text_again):
                kept = keeper.kept()
                report = ImageReport(image, faces, text, background, plan, style.name, verification, None, kept)
                unsettled = only_found and bool(faces_again or text_again)
                raise PhotoVerificationError(destination, report, rounds=round_ if unsettled else 0) from None
            faces = faces.adding(faces_again)
            if text is not None and text_again:
                text = text.adding(TextSearch(tuple(text_again), text.scales, 0, text.min_text))
            plan = plan_redactions(image, [*regions, *face_requests(faces), *text_requests(text)])
            # Every region again, over what is already redacted (an opaque fill stays as it was).
            redacted = redact(redacted, plan, style, seed=image.source.sha256)
            data = _encoded(encoder, redacted, destination)
            settled = None
            continue
        break
    output = Output(hashlib.sha256(data).hexdigest(), encoder.format, image.size, len(data))
    return ImageReport(image, faces, text, background, plan, style.name, verification, output, keeper.kept())


def _unkept_faces(search: FaceSearch, keeper: Keeper) -> FaceSearch:
    return replace(search, faces=tuple(face for face in search.faces if not keeper.overrules(face_request(face))))


def _unkept_text(search: TextSearch, keeper: Keeper) -> TextSearch:
    return replace(search, lines=tuple(line for line in search.lines if not keeper.overrules(text_request(line))))


def _face_kept(keeper: Keeper) -> Callable[[Face], bool]:
    return lambda face: keeper.overrules(face_request(face))


def _line_kept(keeper: Keeper) -> Callable[[TextLine], bool]:
    return lambda line: keeper.overrules(text_request(line))


def anonymize_image_at_width(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    width: int,
    regions: Sequence[RegionRequest] = (),
    settings: ImageSettings | None = None,
    subject: Sequence[Polygon] = (),
    keep: Sequence[KeepRequest] = (),
) -> ImageReport:
    """``anonymize_image``, with ``destination`` at most ``width`` pixels wide: what is too small
    to matter at that width is not searched for, the verified full-size picture is resized, and
    the resized file is encoded fresh and verified in turn. The report's regions stay in the
    original's pixels; its output is the file written.
    """
    if width < 1:
        raise InputError(None, f"the width must be a positive number of pixels, got {width}")
    source, destination = Path(source), Path(destination)
    encoder = encoder_for(destination)
    _check_destination(source, destination)
    with tempfile.TemporaryDirectory(prefix="anonymize-") as folder:
        full = Path(folder) / f"full{encoder.suffixes[0]}"
        report = anonymize_image(source, full, regions, settings, subject, keep, published=width)
        assert report.output is not None
        if report.output.size[0] <= width:
            data = full.read_bytes()
            output = report.output
        else:
            with Image.open(full, formats=(encoder.format,)) as picture:
                picture.load()
                size = (width, max(1, round(picture.height * width / picture.width)))
                pixels = np.asarray(picture.convert("RGB").resize(size, Image.Resampling.LANCZOS))
            data = _encoded(encoder, pixels, destination)
            output = Output(hashlib.sha256(data).hexdigest(), encoder.format, size, len(data))
        try:
            with atomic_output(destination) as temporary:
                write_synced(temporary, data)
                if output is not report.output:
                    verification = verify_output(temporary, encoder, pixels, RedactionPlan(()))
                    if not verification.passed:
                        raise PhotoVerificationError(
                            destination, replace(report, verification=verification, output=None)
                        )
        except OSError as err:
            raise InputError(destination, f"cannot write: {err.strerror or err}") from None
    return replace(report, output=output)
