"""Web sizes of a verified picture: each resized, encoded fresh, named by its content, read back.

The sizes are made from the pixels of a file that already passed verification (redaction, no
metadata, no face left), never from the original, so nothing reaches them that was not proven
clean. Each is then verified on its own as any published file is: one picture, no metadata,
showing exactly the resized pixels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from anonymize.errors import VerificationError
from anonymize.fileio import atomic_output, write_synced
from anonymize.image.encode import Encoder, JpegEncoder
from anonymize.image.plan import RedactionPlan
from anonymize.image.verify import verify_output

#: Widths offered to browsers in ``srcset``: a phone, a laptop column, a wide screen, a retina one.
DEFAULT_WIDTHS = (480, 960, 1600, 2400)
#: Published names carry this many hex digits of the file's SHA-256: unique, and nothing else.
NAME_DIGITS = 20


@dataclass(frozen=True)
class Derivative:
    """One published size of a picture."""

    path: Path
    width: int
    height: int
    sha256: str
    byte_count: int


def derivative_sizes(size: tuple[int, int], widths: Sequence[int] = DEFAULT_WIDTHS) -> list[tuple[int, int]]:
    """Every width of ``widths`` narrower than the picture, and the picture's own if it is narrower than
    the widest; heights keep the aspect ratio. Pictures are never enlarged."""
    width, height = size
    chosen = sorted({w for w in widths if w < width} | ({width} if width <= max(widths) else set()))
    if not chosen:
        chosen = [min(width, max(widths))]
    return [(w, max(1, round(height * w / width))) for w in chosen]


def derive(
    verified: Path, out_dir: Path, widths: Sequence[int] = DEFAULT_WIDTHS, encoder: Encoder | None = None
) -> tuple[Derivative, ...]:
    """Write the web sizes of the verified picture at ``verified`` into ``out_dir``, smallest first.

    Raises ``VerificationError`` naming the size that fails its read-back; no file of that size
    is left.
    """
    encoder = encoder or JpegEncoder()
    with Image.open(verified, formats=("JPEG", "PNG", "WEBP")) as image:
        image.load()
        picture = image.convert("RGB")
    made = []
    for size in derivative_sizes(picture.size, widths):
        resized = picture if size == picture.size else picture.resize(size, Image.Resampling.LANCZOS)
        pixels = np.asarray(resized)
        data = encoder.encode(pixels)
        digest = hashlib.sha256(data).hexdigest()
        destination = out_dir / f"{digest[:NAME_DIGITS]}{encoder.suffixes[0]}"
        with atomic_output(destination) as temporary:
            write_synced(temporary, data)
            verification = verify_output(temporary, encoder, pixels, RedactionPlan(()))
            if not verification.passed:
                reasons = "; ".join(f"{c.name}: {c.detail}" for c in verification.failures)
                raise VerificationError(verified, f"the {size[0]} px wide size fails verification ({reasons})")
        made.append(Derivative(destination, size[0], size[1], digest, len(data)))
    return tuple(made)
