"""The studio driven as a person drives it, in the system's Chromium through Playwright.

Each test points, types and clicks on a copy of the sample exhibition, then reads back what the
studio wrote (the story file, reviews.yml) and what the next build publishes (pixels).
"""

from __future__ import annotations

import difflib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

from anonymize.image.load import load_image
from anonymize.progress import Quiet
from anonymize.site.build import build_site
from anonymize.stories.load import read_story
from anonymize.studio.server import StudioServer
from tests.site.site_reader import read_page, serious_violations

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is missing")

BRIDGE = "sample/bridge.jpg"
BRIDGE_ALT = "A person seen from behind on a river bank at dusk, a bridge beyond"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any, studio: StudioServer) -> Iterator[Any]:
    """A tab that opened the address the studio printed (so it holds the key's cookie)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(studio.url)
    assert page.url == studio.base  # the key went into a cookie, out of the address bar
    yield page
    context.close()


def _front(path: Path) -> dict[str, Any]:
    data = read_story(path).data
    assert isinstance(data, dict)
    return data


def _only_added_lines(before: str, after: str) -> list[str]:
    """The lines ``after`` adds to ``before``; fails if any line of ``before`` changed or went."""
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    assert [line for line in diff if line.startswith("- ")] == []
    return [line[2:] for line in diff if line.startswith("+ ")]


def _drag(tab: Any, photo: int, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Draw with the mouse on photo ``photo``, from and to fractions of the picture."""
    canvas = tab.locator(f"#photo-{photo} svg.drawing")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    tab.mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
    tab.mouse.down()
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    tab.mouse.move(box["x"] + middle[0] * box["width"], box["y"] + middle[1] * box["height"])
    tab.mouse.move(box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"])
    tab.mouse.up()


def _published_bridge(site: Path) -> np.ndarray:
    page = read_page(site / "stories" / "amir" / "index.html")
    image = next(i for i in page.images if i.get("alt") == BRIDGE_ALT)
    largest = str(image["srcset"]).split(",")[-1].split()[0]
    with Image.open((site / "stories" / "amir" / largest).resolve()) as picture:
        return np.asarray(picture.convert("RGB"), dtype=np.float64)


def test_a_region_drawn_with_the_mouse_is_written_approved_and_published_redacted(
    tab: Any, studio: StudioServer, project: Path
) -> None:
    story = project / "stories" / "amir.md"
    before = story.read_text(encoding="utf-8")
    tab.goto(studio.base + "story/amir")
    _drag(tab, 2, (0.05, 0.55), (0.25, 0.72))  # the bridge's railing, on the left
    section = tab.locator("#photo-2")
    assert section.locator("svg.drawing rect").count() == 1  # the person sees what they drew
    assert section.locator("form.draw input[name=x]").input_value() == "80"
    section.locator("form.draw input[name=reason]").fill("a shop sign: it names the town")
    with tab.expect_navigation():
        section.get_by_role("button", name="Save to the story and build again").click()
    assert "written to the story" in tab.locator(".notice").inner_text()
    assert tab.locator("#status").inner_text() == "needs review"

    # The story file: one region more, every other byte (comments, quoting, testimony) as it was.
    after = story.read_text(encoding="utf-8")
    added = _only_added_lines(before, after)
    assert [line.strip() for line in added] == [
        "regions:",
        '- {box: [80, 660, 320, 204], reason: "a shop sign: it names the town"}',
    ]
    assert after.endswith(before.split("\n---\n", 1)[1])
    photo = _front(story)["photos"][1]
    assert photo["regions"] == [{"box": [80, 660, 320, 204], "reason": "a shop sign: it names the town"}]

    # Approve it in the studio: reviews.yml is written, bound to what the page shows.
    tab.locator("#approve-by").fill("Test curator")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Approve for publication").click()
    assert tab.locator("#status").inner_text() == "published"
    reviews = yaml.safe_load((project / "reviews.yml").read_text(encoding="utf-8"))
    entry = studio.studio.entry("amir")
    assert entry is not None
    assert reviews["amir"]["decision"] == "approved" and reviews["amir"]["by"] == "Test curator"
    assert reviews["amir"]["fingerprint"] == entry["fingerprint"]["digest"]  # type: ignore[index]

    # The next build publishes the story, the drawn area redacted in the published picture.
    result = build_site(project / "mkdocs.yml", progress=Quiet())
    assert "amir" in {page.story.slug for page in result.pages}
    published = _published_bridge(result.site_dir)
    original = load_image(project / "photos" / BRIDGE).pixels.astype(np.float64)
    assert published.shape == original.shape
    area = (slice(662, 862), slice(82, 398))
    assert published[area].std() < 4  # one solid colour
    assert np.abs(published[area] - original[area]).mean() > 20  # and not what was photographed
    outside = (slice(100, 300), slice(700, 1000))
    assert np.abs(published[outside] - original[outside]).mean() < 6


def test_a_false_alarm_dismissed_comes_back_as_photographed_and_can_be_taken_back(
    tab: Any, studio: StudioServer, project: Path
) -> None:
    story = project / "stories" / "amir.md"
    before = story.read_text(encoding="utf-8")
    entry = studio.studio.entry("amir")
    assert entry is not None
    region = entry["photos"][1]["image"]["regions"][0]  # type: ignore[index]
    assert region["reason"] == "text"
    x, y, w, h = region["box"]
    original = load_image(project / "photos" / BRIDGE).pixels.astype(np.float64)
    area = (slice(y + 4, y + h - 4), slice(x + 4, x + w - 4))

    def preview() -> np.ndarray:
        current = studio.studio.entry("amir")
        assert current is not None
        name = current["photos"][1]["preview"]  # type: ignore[index]
        with Image.open(project / "reports" / name) as picture:
            return np.asarray(picture.convert("RGB"), dtype=np.float64)

    assert np.abs(preview()[area] - original[area]).mean() > 20  # redacted, as detected

    tab.goto(studio.base + "story/amir")
    row = tab.locator("#photo-2 tbody tr").first
    row.get_by_label("What it is").fill("the bridge's railing, no writing")
    with tab.expect_navigation():
        row.get_by_role("button", name="Keep region 1 as photographed").click()
    assert "kept as photographed" in tab.locator(".notice").inner_text()
    added = _only_added_lines(before, story.read_text(encoding="utf-8"))
    assert [line.strip() for line in added] == [
        "keep:",
        f'- {{box: [{x}, {y}, {w}, {h}], reason: "the bridge\'s railing, no writing"}}',
    ]
    assert _front(story)["photos"][1]["keep"] == [{"box": [x, y, w, h], "reason": "the bridge's railing, no writing"}]
    assert np.abs(preview()[area] - original[area]).mean() < 6  # as photographed again
    assert tab.locator("#photo-2 svg.regions text", has_text="K1").count() == 1

    with tab.expect_navigation():
        tab.get_by_role("button", name="Redact K1 again").click()
    assert story.read_text(encoding="utf-8") == before
    assert np.abs(preview()[area] - original[area]).mean() > 20


def test_without_javascript_an_ellipse_is_typed_in_and_a_word_withheld(
    browser: Any, studio: StudioServer, project: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    tab = context.new_page()
    tab.goto(studio.url)
    tab.goto(studio.base + "story/amir")
    section = tab.locator("#photo-1")
    section.get_by_label("Ellipse").check()
    for name, value in {"x": "20", "y": "30", "width": "40", "height": "50"}.items():
        section.get_by_label(name, exact=True).fill(value)
    section.get_by_label("What it is (why it is redacted)").fill("a ring")
    with tab.expect_navigation():
        section.get_by_role("button", name="Save to the story and build again").click()
    tab.get_by_label("A word (a name, a place) in this story").fill("bakery")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Withhold it everywhere").click()
    context.close()
    data = _front(project / "stories" / "amir.md")
    assert data["photos"][0]["regions"][-1] == {"ellipse": [20, 30, 40, 50], "reason": "a ring"}
    assert data["redact"][-1] == "bakery"
    entry = studio.studio.entry("amir")
    assert entry is not None and "bakery" not in str(entry["testimony_html"])
    assert {"term": "bakery", "count": 1, "forms": ["bakery"]} in entry["withheld"]  # type: ignore[operator]


def test_on_a_phone_a_polygon_is_drawn_by_tapping_its_corners(
    browser: Any, studio: StudioServer, project: Path
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    tab = context.new_page()
    tab.goto(studio.url)
    tab.goto(studio.base + "story/amir")
    section = tab.locator("#photo-1")
    section.get_by_label("Polygon (click each corner)").tap()
    canvas = section.locator("svg.drawing")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    for fx, fy in ((0.1, 0.1), (0.5, 0.1), (0.3, 0.4)):
        tab.touchscreen.tap(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    assert canvas.locator("polygon").count() == 1
    section.get_by_label("What it is (why it is redacted)").fill("a flag")
    with tab.expect_navigation():
        section.get_by_role("button", name="Save to the story and build again").tap()
    assert "written to the story" in tab.locator(".notice").inner_text()
    context.close()
    region = _front(project / "stories" / "amir.md")["photos"][0]["regions"][-1]
    assert region["reason"] == "a flag"
    expected = [[51, 51], [256, 51], [154, 205]]  # the taps, in pixels of the 512 px picture
    assert all(abs(a - b) <= 2 for point, want in zip(region["polygon"], expected, strict=True)
               for a, b in zip(point, want, strict=True))  # fmt: skip


def test_a_word_selected_in_the_testimony_is_offered_for_withholding(tab: Any, studio: StudioServer) -> None:
    tab.goto(studio.base + "story/amir")
    tab.locator("#testimony").get_by_text("bakery", exact=False).first.scroll_into_view_if_needed()
    tab.evaluate(
        """() => {
        const text = document.getElementById('testimony');
        const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
        let node; while ((node = walker.nextNode()) && !node.data.includes('bakery')) {}
        const start = node.data.indexOf('bakery');
        const range = document.createRange();
        range.setStart(node, start); range.setEnd(node, start + 'bakery.'.length);
        getSelection().removeAllRanges(); getSelection().addRange(range);
        text.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
    }"""
    )
    assert tab.locator("#term").input_value() == "bakery"


def test_a_story_changed_on_disk_since_it_was_shown_is_not_overwritten(
    tab: Any, studio: StudioServer, project: Path
) -> None:
    story = project / "stories" / "amir.md"
    tab.goto(studio.base + "story/amir")
    by_hand = story.read_text(encoding="utf-8").replace("title: The bridge at dusk", "title: The bridge at night")
    story.write_text(by_hand, encoding="utf-8")
    tab.get_by_label("A word (a name, a place) in this story").fill("bakery")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Withhold it everywhere").click()
    assert story.read_text(encoding="utf-8") == by_hand
    assert "changed on disk since it was shown" in tab.locator(".notice").inner_text()


def test_a_name_nobody_listed_is_marked_and_published_as_written_by_pointing(
    tab: Any, studio: StudioServer, project: Path
) -> None:
    story = project / "stories" / "amir.md"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("My brother", "My cousin Ruslan and my brother", 1), encoding="utf-8")
    tab.goto(studio.base)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Build again").click()
    # The draft is built all the same, for the author to decide where the word is.
    assert "1 word looks like a name nobody listed" in tab.get_by_role("row", name="amir").inner_text()
    tab.goto(studio.base + "story/amir")
    marked = tab.locator("#testimony mark.unlisted")
    assert marked.all_inner_texts() == ["Ruslan"]
    assert "a first name nobody listed" in str(marked.first.get_attribute("title"))
    tab.locator("#term").fill("Ruslan")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Publish it as written").click()
    assert _front(story)["allow"][-1] == "Ruslan"
    assert tab.locator("#testimony mark.unlisted").count() == 0
    entry = studio.studio.entry("amir")
    assert entry is not None and "My cousin Ruslan" in str(entry["testimony_html"])


def test_a_failure_shows_its_message_where_the_photo_was(tab: Any, studio: StudioServer, project: Path) -> None:
    story = project / "stories" / "amir.md"
    tab.goto(studio.base + "story/amir")
    tab.locator("#photo-2 form.draw input[name=reason]").fill("nothing")
    (project / "photos" / BRIDGE).rename(project / "photos" / "elsewhere.jpg")
    before = story.read_text(encoding="utf-8")
    tab.locator("#photo-2 form.draw input[name=x]").fill("10")
    tab.locator("#photo-2 form.draw input[name=y]").fill("10")
    tab.locator("#photo-2 form.draw input[name=w]").fill("10")
    tab.locator("#photo-2 form.draw input[name=h]").fill("10")
    with tab.expect_navigation():
        tab.locator("#photo-2").get_by_role("button", name="Save to the story and build again").click()
    assert story.read_text(encoding="utf-8") != before  # the change itself was fine
    message = tab.locator("#photo-2 .photo-failure").inner_text()
    assert BRIDGE in message
    assert tab.locator("#photo-1 .photo-failure").count() == 0


def test_the_original_is_shown_only_on_request_and_never_stored(tab: Any, studio: StudioServer, project: Path) -> None:
    tab.goto(studio.base + "story/amir")
    assert tab.locator("img[src^='/original/']").count() == 0
    before = {path for path in project.rglob("*") if path.is_file()}
    with tab.expect_response(lambda r: "/original/" in r.url) as answer:
        tab.locator("#photo-1").get_by_role("link", name="Show the original, unredacted").click()
    assert answer.value.status == 200 and answer.value.headers["cache-control"] == "no-store"
    width = tab.locator("#photo-1 figure.original img").evaluate("i => i.naturalWidth")
    assert width == 512
    assert {path for path in project.rglob("*") if path.is_file()} == before


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_another_sites_form_cannot_post_to_the_studio(
    browser: Any, tab: Any, studio: StudioServer, project: Path, tmp_path: Path
) -> None:
    """A page elsewhere, opened in the same browser as the studio, posts a form to it: refused."""
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "index.html").write_text(
        f"""<!doctype html><form method="post" action="{studio.base}story/amir/redact">
        <input name="term" value="Amir"><input name="csrf" value="guessed"></form>
        <script>document.forms[0].submit()</script>""",
        encoding="utf-8",
    )
    handler = functools.partial(_Quiet, directory=str(tmp_path / "evil"))
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    before = (project / "stories" / "amir.md").read_bytes()
    try:
        attack = tab.context.new_page()
        with attack.expect_response(lambda r: r.url.startswith(studio.base)) as answer:
            attack.goto(f"http://localhost:{evil.server_address[1]}/")
        assert answer.value.status == 403
    finally:
        evil.shutdown()
        evil.server_close()
    assert (project / "stories" / "amir.md").read_bytes() == before


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("path", ["", "story/amir", "story/nadia", "story/musa"])
def test_axe_finds_nothing_serious_and_nothing_overflows(
    browser: Any, studio: StudioServer, path: str, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    tab = context.new_page()
    violations: list[str] = []
    tab.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    tab.goto(studio.url)
    tab.goto(studio.base + path, wait_until="networkidle")
    result = axe_module.Axe().run(tab)
    overflow = tab.evaluate("() => document.documentElement.scrollWidth")
    context.close()
    assert serious_violations(result.response) == []
    assert overflow <= width
    assert violations == []
