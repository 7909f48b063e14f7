"""Write the curator report into its folder: pictures, report.json, then index.html read back from it.

The folder is the project's ``reports/``: never inside the site, never deployed. Every build
replaces what the last one wrote, so the previews of a story whose consent ended go with it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image

from anonymize.config import ImageSettings
from anonymize.errors import AnonymizeError
from anonymize.fileio import atomic_output, write_synced
from anonymize.image.encode import JpegEncoder
from anonymize.image.load import load_image
from anonymize.report.render import render_html

REPORT_JSON = "report.json"
REPORT_HTML = "index.html"
#: Folders of pictures inside the report; replaced whole by every build.
PICTURES = "pictures"
ORIGINALS = "originals"


def write_report(
    reports_dir: Path,
    document: Mapping[str, object],
    pictures: Mapping[str, Path],
    originals: Mapping[str, Path] | None = None,
) -> Path:
    """Write the report; ``pictures`` and ``originals`` map file names in it to files to copy.

    Without ``originals`` any earlier original views are removed. Returns the HTML page.
    """
    try:
        reports_dir.mkdir(parents=True, exist_ok=True)
        _replace_folder(reports_dir / PICTURES, pictures)
        _replace_folder(reports_dir / ORIGINALS, originals or {})
        data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
        with atomic_output(reports_dir / REPORT_JSON) as temporary:
            write_synced(temporary, data)
        # Rendered from what was written, read back: the JSON is the source of truth.
        written = json.loads((reports_dir / REPORT_JSON).read_text(encoding="utf-8"))
        with atomic_output(reports_dir / REPORT_HTML) as temporary:
            write_synced(temporary, render_html(written).encode())
    except OSError as err:
        raise AnonymizeError(reports_dir, f"cannot write the curator report: {err.strerror or err}") from None
    return reports_dir / REPORT_HTML


def _replace_folder(folder: Path, files: Mapping[str, Path]) -> None:
    """Make ``folder`` hold exactly ``files`` (none: no folder), swapped in whole."""
    if not files:
        shutil.rmtree(folder, ignore_errors=True)
        return
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, source in files.items():
            shutil.copyfile(source, fresh / name)
        os.chmod(fresh, 0o755)
        old = folder.parent / f".{folder.name}-old"
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(fresh, folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


def original_picture(source: Path, size: tuple[int, int], settings: ImageSettings) -> bytes:
    """The original, upright and unredacted, at ``size``, as JPEG bytes: for curators' eyes only.

    Made from pixels like everything else, so it holds none of the original's metadata.
    """
    loaded = load_image(source, settings)
    picture = Image.fromarray(loaded.pixels).resize(size, Image.Resampling.LANCZOS)
    return JpegEncoder().encode(np.asarray(picture))


def original_view(source: Path, size: tuple[int, int], destination: Path, settings: ImageSettings) -> None:
    """``original_picture`` written beside its redaction in the local report, on request."""
    destination.write_bytes(original_picture(source, size, settings))
