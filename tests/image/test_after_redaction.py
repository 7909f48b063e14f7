"""The text search after redaction: writing left beside a redaction is found, the redaction is not."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from anonymize.config import VerifyMode
from anonymize.image.detect.text import TextFinder, TextLine, TextSearch
from anonymize.image.plan import PlannedRegion, RedactionPlan, RegionRequest
from anonymize.image.redact import Solid, redact, unboxed
from anonymize.image.regions import Box
from anonymize.image.verify import search_after_redaction, text_check
from tests.scenes import FONT


def _plan(*boxes: tuple[int, int, int, int]) -> RedactionPlan:
    return RedactionPlan(
        tuple(
            PlannedRegion(i, RegionRequest(Box(x, y, w, h), "text", "test"), (x, y, x + w, y + h))
            for i, (x, y, w, h) in enumerate(boxes, start=1)
        )
    )


def test_a_row_of_black_boxes_is_not_a_line_of_text() -> None:
    # Lines of lettering on a light van, each covered: at a coarse level the row of boxes is, to
    # the detector, a line of huge letters.
    pixels = np.clip(np.random.default_rng(1).normal(225, 6, (800, 1200, 3)), 0, 255).astype(np.uint8)
    plan = _plan(*((200 + i * 90, 350, 70, 90) for i in range(6)))
    redacted = redact(pixels, plan, Solid(), seed="test")
    finder, near = TextFinder(12), [planned.bounds for planned in plan.regions]
    assert finder.search(redacted, near).lines, "the boxes as they are look like writing"
    assert search_after_redaction(finder, redacted, plan, near).lines == ()
    view = unboxed(redacted, plan)
    assert np.array_equal(view[:, :190], redacted[:, :190]), "outside the regions the view is the picture"
    assert abs(float(view[350:440, 200:270].mean()) - 225) < 6, "a box is filled with what is around it"


def test_the_rest_of_a_half_covered_sign_is_still_found() -> None:
    canvas = Image.new("RGB", (1200, 600), (240, 240, 235))
    ImageDraw.Draw(canvas).text((100, 250), "STATION ROAD 12", font=ImageFont.truetype(FONT, 60), fill=(20, 20, 30))
    plan = _plan((90, 240, 330, 90))  # "STATION" covered, "ROAD 12" not
    redacted = redact(np.asarray(canvas), plan, Solid(), seed="test")
    (line,) = search_after_redaction(TextFinder(12), redacted, plan, [(90, 240, 420, 330)]).lines
    polygon = line.polygon()
    assert line.sure and polygon.x < 450 and polygon.x + polygon.width > 560


def test_the_check_reuses_a_search_only_of_the_very_pixels_it_reads() -> None:
    canvas = Image.new("RGB", (1200, 600), (240, 240, 235))
    ImageDraw.Draw(canvas).text((100, 250), "STATION ROAD 12", font=ImageFont.truetype(FONT, 60), fill=(20, 20, 30))
    plan = _plan((90, 240, 330, 90))
    redacted = redact(np.asarray(canvas), plan, Solid(), seed="test")
    finder, nothing = TextFinder(12), TextSearch((), (), 0, 12)
    # A search of other pixels is not taken for this file's: the file is searched, ROAD 12 found.
    other = redact(np.full_like(redacted, 240), plan, Solid(), seed="test")
    again: list[TextLine] = []
    assert not text_check(finder, nothing, plan, VerifyMode.CHANGED, again, searched=(other, nothing))(redacted).passed
    assert again
    # The search of these very pixels is the check's own (here one said to find nothing).
    reused: list[TextLine] = []
    same = redacted.copy()
    assert text_check(finder, nothing, plan, VerifyMode.CHANGED, reused, searched=(same, nothing))(redacted).passed
    assert not reused
    # In full mode the whole file is searched, whatever was searched before.
    full: list[TextLine] = []
    assert not text_check(finder, nothing, plan, VerifyMode.FULL, full, searched=(same, nothing))(redacted).passed
