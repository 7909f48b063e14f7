"""Typed settings shared by the command line and (later) the MkDocs plugin."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

_E = TypeVar("_E", bound=StrEnum)


class Style(StrEnum):
    """How a redacted region is drawn."""

    SOLID = "solid"  # an opaque fill: nothing of what was there survives
    PIXELATE = "pixelate"
    BLUR = "blur"


class Background(StrEnum):
    """What happens to everything behind the people."""

    KEEP = "keep"
    BLUR = "blur"  # beyond recognition


class VerifyMode(StrEnum):
    """How much of a written picture is searched for faces and text again."""

    #: Wherever redaction changed it (elsewhere it is the searched picture, as the pixel check proves).
    CHANGED = "changed"
    FULL = "full"  # all of it


#: Pictures above this many pixels are refused before they are decoded (decompression bombs).
DEFAULT_MAX_PIXELS = 100_000_000
#: Face detectors, the first searching down to ``min_face``, all searching from ``all_from``.
DEFAULT_FACE_DETECTORS = ("centerface", "yunet")
#: Width in pixels of the smallest face searched for; halving it costs four times the time.
DEFAULT_MIN_FACE = 20
MIN_FACE_LIMITS = (8, 10_000)
VERIFY_MODES = tuple(mode.value for mode in VerifyMode)
#: Text lower than this many pixels is not searched for; half the height takes about four times as long.
DEFAULT_MIN_TEXT = 12
MIN_TEXT_LIMITS = (6, 10_000)
#: Width in published pixels of a face box small enough to identify nobody, with a margin. People
#: still recognise familiar faces, above chance, in pictures where the head is 7 x 10 pixels
#: (Sinha et al., "Face recognition by humans", Proc. IEEE 2006, result 1; well at 12 x 14, and
#: Yan, Goffaux & Rossion, Cerebral Cortex 2021: from 6-9 cycles per head width). A detector's
#: box is the head's width / 1.7 (``faces.HEAD_WIDTH``): a 7-pixel head is a 4-pixel box. Faces
#: a little below ``min_face`` are missed more often, so the search goes down to 3.
FACE_MATTERS = 3
#: Height in published pixels (font size) of a line of text small enough that nobody reads it,
#: with a margin. Measured: tesseract read a sign with 4-pixel type in the published size, enlarged,
#: and none with 3.3 or 3.7 (``benchmarks/legible.py``); lines a little lower than ``min_text``
#: are missed more often, so the search goes down to 3.
TEXT_MATTERS = 3
BACKGROUNDS = tuple(background.value for background in Background)
STYLES = tuple(style.value for style in Style)


@dataclass(frozen=True)
class FaceSettings:
    """How faces are searched for, in the picture and again in the written file."""

    detectors: tuple[str, ...] = DEFAULT_FACE_DETECTORS
    min_face: int = DEFAULT_MIN_FACE
    #: Faces at least this wide are searched by every detector (default: twice ``min_face``).
    all_from: int | None = None
    verify: VerifyMode = VerifyMode.CHANGED

    def __post_init__(self) -> None:
        low, high = MIN_FACE_LIMITS
        if not low <= self.min_face <= high:
            raise ValueError(f"min_face must be between {low} and {high} pixels, got {self.min_face}")
        if not self.detectors:
            raise ValueError("at least one face detector is needed")
        object.__setattr__(self, "verify", _member(VerifyMode, self.verify, "verify"))


@dataclass(frozen=True)
class TextSettings:
    """Whether scene text (signs, plates, house numbers, screens) is searched for and redacted."""

    enabled: bool = True
    min_text: int = DEFAULT_MIN_TEXT

    def __post_init__(self) -> None:
        low, high = MIN_TEXT_LIMITS
        if not low <= self.min_text <= high:
            raise ValueError(f"min_text must be between {low} and {high} pixels, got {self.min_text}")


@dataclass(frozen=True)
class ImageSettings:
    """How one picture is turned into a publishable file."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    style: Style = Style.SOLID
    #: Colour that transparent pixels are flattened onto before anything else happens.
    matte: tuple[int, int, int] = (255, 255, 255)
    faces: FaceSettings = field(default_factory=FaceSettings)
    text: TextSettings = field(default_factory=TextSettings)
    #: Everything but the people kept or blurred (a photo's own choice overrides it).
    background: Background = Background.KEEP

    def for_published(self, width: int, published: int | None) -> ImageSettings:
        """These settings for a ``width`` pixels wide picture published at most ``published``
        pixels wide (None: at its own width): faces and text are searched down to what matters
        in the published size (``FACE_MATTERS``, ``TEXT_MATTERS``), never below the minimums
        asked for, which are in pixels of the picture and stay the floor."""
        if published is None or published >= width:
            return self
        ratio = width / published
        faces, text = self.faces, self.text
        min_face = max(faces.min_face, math.ceil(FACE_MATTERS * ratio))
        min_text = max(text.min_text, math.ceil(TEXT_MATTERS * ratio))
        return replace(
            self,
            faces=replace(faces, min_face=min(min_face, MIN_FACE_LIMITS[1])),
            text=replace(text, min_text=min(min_text, MIN_TEXT_LIMITS[1])),
        )

    def __post_init__(self) -> None:
        if self.max_pixels < 1:
            raise ValueError(f"max_pixels must be positive, got {self.max_pixels}")
        object.__setattr__(self, "style", _member(Style, self.style, "style"))
        object.__setattr__(self, "background", _member(Background, self.background, "background"))


@dataclass(frozen=True)
class StorySettings:
    """Where a project keeps its stories and photos, and what every story must withhold."""

    stories_dir: Path = Path("stories")
    photos_dir: Path = Path("photos")
    #: Project-wide redact terms, applied to every story as well as its own list.
    redact: tuple[str, ...] = ()
    #: Language of a story that does not name one (a BCP 47 code).
    language: str = "en"
    #: The file the settings came from, named in messages about them.
    config_file: Path | None = None
    #: Names and places every story may publish as written (Chechnya, Moscow): the exhibition names
    #: them on purpose.
    allow: tuple[str, ...] = ()


def _member(kind: type[_E], value: object, name: str) -> _E:
    """``value`` as a member of ``kind`` (settings may arrive as the words a user wrote)."""
    try:
        return kind(str(value))
    except ValueError:
        raise ValueError(f"{name} must be one of {', '.join(kind)}, got {value!r}") from None
