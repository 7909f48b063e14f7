"""Typed settings shared by the command line and (later) the MkDocs plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Pictures above this many pixels are refused before they are decoded (decompression bombs).
DEFAULT_MAX_PIXELS = 100_000_000
#: Face detectors, the first searching down to ``min_face``, all searching from ``all_from``.
DEFAULT_FACE_DETECTORS = ("centerface", "yunet")
#: Width in pixels of the smallest face searched for; halving it costs four times the time.
DEFAULT_MIN_FACE = 20
MIN_FACE_LIMITS = (8, 10_000)
VERIFY_MODES = ("changed", "full")
#: Text lower than this many pixels is not searched for; half the height takes about four times as long.
DEFAULT_MIN_TEXT = 12
MIN_TEXT_LIMITS = (6, 10_000)
#: What happens to everything behind the people: ``keep`` it, or ``blur`` it beyond recognition.
BACKGROUNDS = ("keep", "blur")


@dataclass(frozen=True)
class FaceSettings:
    """How faces are searched for, in the picture and again in the written file."""

    detectors: tuple[str, ...] = DEFAULT_FACE_DETECTORS
    min_face: int = DEFAULT_MIN_FACE
    #: Faces at least this wide are searched by every detector (default: twice ``min_face``).
    all_from: int | None = None
    #: "changed": re-search the output wherever redaction changed it (elsewhere it is the
    #: searched picture, as the pixel check proves); "full": re-search all of it.
    verify: str = "changed"

    def __post_init__(self) -> None:
        low, high = MIN_FACE_LIMITS
        if not low <= self.min_face <= high:
            raise ValueError(f"min_face must be between {low} and {high} pixels, got {self.min_face}")
        if not self.detectors:
            raise ValueError("at least one face detector is needed")
        if self.verify not in VERIFY_MODES:
            raise ValueError(f"verify must be one of {', '.join(VERIFY_MODES)}, got {self.verify!r}")


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
    style: str = "solid"
    #: Colour that transparent pixels are flattened onto before anything else happens.
    matte: tuple[int, int, int] = (255, 255, 255)
    faces: FaceSettings = field(default_factory=FaceSettings)
    text: TextSettings = field(default_factory=TextSettings)
    #: ``keep`` or ``blur`` everything but the people (a photo's own choice overrides it).
    background: str = "keep"

    def __post_init__(self) -> None:
        if self.max_pixels < 1:
            raise ValueError(f"max_pixels must be positive, got {self.max_pixels}")
        if self.background not in BACKGROUNDS:
            raise ValueError(f"background must be one of {', '.join(BACKGROUNDS)}, got {self.background!r}")


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
