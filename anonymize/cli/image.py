"""``anonymize image``: one original in, one verified, redacted, metadata-free picture out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from anonymize.cli.common import fail
from anonymize.config import (
    BACKGROUNDS,
    DEFAULT_FACE_DETECTORS,
    DEFAULT_MAX_PIXELS,
    DEFAULT_MIN_FACE,
    DEFAULT_MIN_TEXT,
    MIN_FACE_LIMITS,
    MIN_TEXT_LIMITS,
    STYLES,
    VERIFY_MODES,
    Background,
    FaceSettings,
    ImageSettings,
    Style,
    TextSettings,
    VerifyMode,
)
from anonymize.errors import AnonymizeError, display_path
from anonymize.image.detect.faces import DETECTORS
from anonymize.image.pipeline import ImageReport, PhotoVerificationError, anonymize_image, anonymize_image_at_width
from anonymize.image.plan import KeepRequest, RegionRequest
from anonymize.image.regions import Polygon, Region, parse_region


def _regions(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Region]:
    regions = []
    for value in values:
        try:
            regions.append(parse_region(value))
        except ValueError as err:
            raise click.BadParameter(str(err), ctx=ctx, param=param) from None
    return regions


def _keeps(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[int, int, int, int]]:
    boxes = []
    for value in values:
        try:
            region = parse_region(value)
        except ValueError as err:
            raise click.BadParameter(str(err), ctx=ctx, param=param) from None
        if region.shape != "box":
            raise click.BadParameter(f"expected the box X,Y,W,H a region has in the report, got {value!r}")
        boxes.append(region.box)
    return boxes


def _subjects(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[Polygon]:
    polygons = []
    for value in values:
        try:
            region = parse_region(value if value.startswith("polygon:") else f"polygon:{value}")
        except ValueError as err:
            raise click.BadParameter(str(err), ctx=ctx, param=param) from None
        assert isinstance(region, Polygon)
        polygons.append(region)
    return polygons


def _print_report(report: ImageReport) -> None:
    click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))


@click.command("image")
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="Picture to write: .jpg, .png or .webp."
)
@click.option(
    "--width",
    type=click.IntRange(min=1),
    default=None,
    metavar="PIXELS",
    help="Write the picture this many pixels wide (never enlarged); faces and text too small to matter at "
    "that width are not searched for, which is faster. [default: the picture's own width]",
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    callback=_regions,
    metavar="[ellipse:]X,Y,W,H",
    help="Redact this box (or ellipse, or polygon:X1,Y1,X2,Y2,X3,Y3,...) of the upright picture, in pixels. "
    "Repeatable.",
)
@click.option(
    "--keep",
    "keep",
    multiple=True,
    callback=_keeps,
    metavar="X,Y,W,H",
    help="Leave the detected region with this box (as the report or a review line shows it) as photographed: "
    "it is not a face or not text. Repeatable.",
)
@click.option(
    "--background",
    type=click.Choice(BACKGROUNDS),
    default=None,
    help="Keep everything behind the people, or blur it beyond recognition (default: keep; blur with --subject).",
)
@click.option(
    "--subject",
    "subject",
    multiple=True,
    callback=_subjects,
    metavar="X1,Y1,X2,Y2,X3,Y3,...",
    help="The people are inside this polygon (instead of the person model's mask); everything else is blurred. "
    "Repeatable.",
)
@click.option(
    "--text/--no-text",
    default=True,
    show_default=True,
    help="Find and redact scene text: signs, plates, house numbers, documents, screens.",
)
@click.option(
    "--min-text",
    type=click.IntRange(*MIN_TEXT_LIMITS),
    default=DEFAULT_MIN_TEXT,
    show_default=True,
    help="Height in pixels of the smallest text to search for.",
)
@click.option(
    "--style",
    type=click.Choice(sorted(STYLES)),
    default=Style.SOLID.value,
    show_default=True,
    help="How regions are redacted.",
)
@click.option(
    "--max-pixels",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_PIXELS,
    show_default=True,
    help="Refuse larger pictures (decompression bombs).",
)
@click.option(
    "--min-face",
    type=click.IntRange(*MIN_FACE_LIMITS),
    default=DEFAULT_MIN_FACE,
    show_default=True,
    help="Width in pixels of the smallest face to search for; half the width takes about four times as long.",
)
@click.option(
    "--detector",
    "detectors",
    multiple=True,
    type=click.Choice(sorted(DETECTORS)),
    help="Face detector to use, the first one down to --min-face. Repeatable. "
    f"[default: {', '.join(DEFAULT_FACE_DETECTORS)}]",
)
@click.option(
    "--verify-faces",
    type=click.Choice(VERIFY_MODES),
    default=VerifyMode.CHANGED.value,
    show_default=True,
    help="Search the written file again where redaction changed it, or everywhere (slower).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print a JSON report of what was found, redacted, removed and verified."
)
def image_command(
    source: Path,
    output: Path,
    width: int | None,
    regions: list[Region],
    keep: list[tuple[int, int, int, int]],
    background: str | None,
    subject: list[Polygon],
    text: bool,
    min_text: int,
    style: str,
    max_pixels: int,
    min_face: int,
    detectors: tuple[str, ...],
    verify_faces: str,
    as_json: bool,
) -> None:
    """Write a redacted, metadata-free copy of INPUT to OUTPUT and verify it by reading it back.

    Faces are found and redacted head and all, and every line of scene text in any script is
    covered opaquely; what the detectors are unsure of is redacted too and named on stderr for a
    person to look at. With --background blur everything but the people is blurred beyond
    recognition. The written file is searched again: a face or text found only there is redacted
    too and the file made again (up to three rounds); if it stays, nothing is written.

    With --width the picture is written that wide, and faces and text too small to identify anyone
    or be read at that width are not searched for; regions and the report stay in the original's
    pixels.

    \b
    Example:
      anonymize image photos/sample/bridge.jpg -o out/bridge.jpg --region 120,340,80,60 --json
    """
    requests = [RegionRequest(region, "manual region", "command line") for region in regions]
    keeps = [KeepRequest(box, "kept on the command line", f"--keep {','.join(map(str, box))}") for box in keep]
    try:
        faces = FaceSettings(detectors or DEFAULT_FACE_DETECTORS, min_face, verify=VerifyMode(verify_faces))
        if subject and background == Background.KEEP.value:
            raise click.UsageError(
                "--subject outlines the people to blur what is behind them: not with --background keep"
            )
        if background is None:
            background = Background.BLUR.value if subject else Background.KEEP.value
        settings = ImageSettings(
            max_pixels=max_pixels,
            style=Style(style),
            faces=faces,
            text=TextSettings(text, min_text),
            background=Background(background),
        )
        if width is None:
            report = anonymize_image(source, output, requests, settings, subject, keeps)
        else:
            report = anonymize_image_at_width(source, output, width, requests, settings, subject, keeps)
    except PhotoVerificationError as err:
        if as_json:
            _print_report(err.report)
        fail(err)
    except AnonymizeError as err:
        fail(err)
    for warning in report.image.warnings:
        click.echo(f"anonymize: warning: {display_path(source)}: {warning}", err=True)
    for planned in report.plan.regions:
        if planned.index in report.review:
            x0, y0, x1, y1 = planned.bounds
            click.echo(
                f"anonymize: review: {display_path(source)}: region {planned.index} at {x0},{y0},{x1 - x0},{y1 - y0}: "
                f"{planned.request.reason} ({planned.request.source})",
                err=True,
            )
    if as_json:
        _print_report(report)
