"""Typed settings shared by the command line and (later) the MkDocs plugin."""

from __future__ import annotations

from dataclasses import dataclass

#: Pictures above this many pixels are refused before they are decoded (decompression bombs).
DEFAULT_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class ImageSettings:
    """How one picture is turned into a publishable file."""

    max_pixels: int = DEFAULT_MAX_PIXELS
    style: str = "solid"
    #: Colour that transparent pixels are flattened onto before anything else happens.
    background: tuple[int, int, int] = (255, 255, 255)

    def __post_init__(self) -> None:
        if self.max_pixels < 1:
            raise ValueError(f"max_pixels must be positive, got {self.max_pixels}")
