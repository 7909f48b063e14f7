"""The size every decoder's header is held to before anything is decoded."""

from __future__ import annotations

from pathlib import Path

from anonymize.errors import InputError


def check_size(path: Path, width: int, height: int, max_pixels: int) -> None:
    """Refuse a picture without pixels, or over ``max_pixels``, from its header's size."""
    if width < 1 or height < 1:
        raise InputError(path, f"picture has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise InputError(
            path,
            f"picture is {width}x{height} = {width * height / 1e6:.1f} MP, over the limit of "
            f"{max_pixels / 1e6:g} MP (raise it with --max-pixels if the picture is genuine)",
        )
