"""The curator's side: the report of a build, approvals bound to fingerprints, draft builds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from anonymize.cli import main
from anonymize.errors import BuildErrors, InputError
from anonymize.image import segment
from anonymize.image.detect import centerface, yunet
from anonymize.image.detect import text as text_detection
from anonymize.image.detect.base import Detection, FaceDetector
from anonymize.report.write import REPORT_JSON
from anonymize.review import APPROVED, REJECTED, Reviews, record_decision
from anonymize.site.build import build_site
from tests.dirty import scene
from tests.faces import Composite, astronaut, background, paste
from tests.site.site_reader import html_pages, is_remote, read_page, tree
from tests.stories.project import AS_OF, Project

EMAIL = "shelter@example.org"
Detect = Callable[[FaceDetector, np.ndarray], list[Detection]]


def write_curated(root: Path) -> Project:
    """Three stories: one with a face and a manual region and an allowed address, one with the
    testimony withheld by consent, one withdrawn."""
    project = Project(root)
    canvas = Composite(background("coffee", 640, 480))
    paste(canvas, astronaut(), 80, (400, 120))
    Image.fromarray(canvas.pixels).save(project.photos / "Aslan-at-home.jpg", quality=92)
    Image.fromarray(scene(400, 300, seed=3)).save(project.photos / "street.jpg")
    project.story(
        "aslan-real-name",
        f"""\
        pseudonym: Amir
        title: Out of Argun
        photos:
          - file: Aslan-at-home.jpg
            alt: A room
            regions:
              - {{box: [20, 300, 120, 60], reason: a house number}}
        redact: [Aslan, Argun]
        allow: [{EMAIL}]
        """,
        f"Aslan drove me out of Argun. Write to {EMAIL}.\n",
    )
    project.story(
        "timur",
        "pseudonym: Timur\nphotos:\n  - file: street.jpg\n    alt: A street\n",
        "Not to be published.\n",
        consent="consent:\n  portrait: true\n  testimony: false\n  given: 2024-01-01\n",
    )
    project.story(
        "musa",
        "pseudonym: Musa\n",
        "Withdrawn.\n",
        consent="consent:\n  portrait: true\n  testimony: true\n  given: 2024-01-01\n  withdrawn: 2025-01-01\n",
    )
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Exhibition\n")
    (root / "mkdocs.yml").write_text(
        "site_name: T\ntheme: {name: material, font: false}\nplugins:\n  - search\n  - anonymize:\n      style: solid\n"
    )
    return project


def report_of(root: Path) -> dict[str, Any]:
    document = json.loads((root / "reports" / REPORT_JSON).read_text())
    return {entry["story"]: entry for entry in document["stories"]}


def approve(root: Path, story: str, decision: str = APPROVED, reason: str | None = None) -> None:
    reviews = Reviews.load(root / "reviews.yml")
    record_decision(root, root / "reports" / REPORT_JSON, reviews, story, decision, AS_OF, "Curator", reason)


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("curated")
    write_curated(root)
    build_site(root / "mkdocs.yml", AS_OF, draft=True)
    return root


def test_the_report_shows_faces_regions_findings_and_exclusions(drafted: Path) -> None:
    stories = report_of(drafted)
    assert {name: s["status"] for name, s in stories.items()} == {
        "aslan-real-name": "needs review",
        "musa": "excluded",
        "timur": "needs review",
    }
    assert stories["musa"]["reason"] == "consent withdrawn on 2025-01-01"
    assert stories["timur"]["excluded"] == [{"part": "testimony", "reason": "no consent to publish the testimony"}]
    aslan = stories["aslan-real-name"]
    assert aslan["reason"] == "not reviewed yet"
    assert aslan["findings"] == [{"field": "testimony, line 16, column 39", "kind": "e-mail address", "text": EMAIL}]
    assert aslan["withheld"] == [
        {"term": "Argun", "count": 2, "forms": ["Argun"]},
        {"term": "Aslan", "count": 1, "forms": ["Aslan"]},
    ]
    assert [(n["field"].split(",")[0], n["word"], n["decision"].split(" (")[0]) for n in aslan["names"]] == [
        ("title", "Argun", "withheld"),
        ("testimony", "Aslan", "withheld"),
        ("testimony", "Argun", "withheld"),
    ]
    (photo,) = aslan["photos"]
    image = photo["image"]
    regions = image["regions"]
    assert regions[0]["reason"] == "a house number" and regions[0]["box"] == [20, 300, 120, 60]
    assert [r["reason"] for r in regions[1:]] == ["face"]
    assert image["faces"]["found"][0]["region"] == 2 and image["faces"]["found"][0]["score"] > 0.5
    assert image["verification"]["passed"] is True
    assert photo["original"] is None and (drafted / "reports" / photo["preview"]).is_file()


def test_the_report_page_draws_every_region_and_loads_nothing_from_elsewhere(drafted: Path) -> None:
    page = read_page(drafted / "reports" / "index.html")
    assert page.loads and not [url for url in page.loads if is_remote(url)]
    for url in page.loads:
        assert (drafted / "reports" / url).is_file(), url
    html = (drafted / "reports" / "index.html").read_text()
    assert html.count('class="overlay overlay--manual"') == 1 and html.count('class="overlay overlay--face"') == 1
    assert "default-src &#39;none&#39;" in html and "<script" not in html
    assert "Aslan" in page.text  # the curator sees what was withheld; the page never leaves reports/
    assert "anonymize approve aslan-real-name" in page.text


def test_no_original_is_in_the_report_unless_asked_for(drafted: Path, tmp_path: Path) -> None:
    originals = {p.read_bytes() for p in (drafted / "photos").iterdir()}
    assert not any(p.read_bytes() in originals for p in (drafted / "reports").rglob("*") if p.is_file())
    assert not (drafted / "reports" / "originals").exists()
    build_site(drafted / "mkdocs.yml", AS_OF, tmp_path / "draft", draft=True, with_originals=True)
    photo = report_of(drafted)["aslan-real-name"]["photos"][0]
    view = drafted / "reports" / photo["original"]
    assert photo["original"].startswith("originals/") and view.is_file()
    with Image.open(view) as image:
        assert image.size == tuple(photo["preview_size"]) and not image.info.get("exif")
    assert photo["original"] in (drafted / "reports" / "index.html").read_text()
    assert not any("originals" in name for name in tree(tmp_path / "draft"))
    build_site(drafted / "mkdocs.yml", AS_OF, tmp_path / "draft", draft=True)  # not asked again: gone
    assert not (drafted / "reports" / "originals").exists()


def test_a_draft_has_every_story_a_banner_on_every_page_and_noindex(drafted: Path) -> None:
    draft = drafted / "site-draft"
    assert (draft / "stories" / "amir" / "index.html").is_file() and (draft / "stories" / "timur").is_dir()
    for path in html_pages(draft):
        page = read_page(path)
        assert "DRAFT — for review only" in page.text, path
        body = next(i for i, tag in enumerate(page.order) if tag.split(".")[0] == "body")
        assert page.order[body + 1] == "div.anonymize-draft", path  # first in the body
        assert {"name": "robots", "content": "noindex, nofollow"} in page.metas, path
    assert (draft / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert not (drafted / "site").exists()  # a draft never touches the site


def test_the_approval_life_cycle(tmp_path: Path) -> None:
    project = write_curated(tmp_path)
    config = tmp_path / "mkdocs.yml"

    def build(draft: bool = False) -> set[str]:
        pages = build_site(config, AS_OF, draft=draft).pages
        return {page.story.slug for page in pages}

    assert build() == set()  # nothing approved, nothing published
    build(draft=True)
    approve(tmp_path, "aslan-real-name")
    approve(tmp_path, "timur", REJECTED, "the street sign is readable")
    assert build() == {"aslan-real-name"}
    assert report_of(tmp_path)["timur"]["status"] == "excluded"
    assert report_of(tmp_path)["timur"]["reason"] == "rejected by Curator on 2026-06-01: the street sign is readable"
    story = project.stories / "aslan-real-name.md"
    changes: list[tuple[Callable[[], object], list[str]]] = [
        (
            lambda: Image.fromarray(scene(640, 480, seed=9)).save(project.photos / "Aslan-at-home.jpg"),
            ["photo Aslan-at-home.jpg changed", "photo Aslan-at-home.jpg: 1 face fewer"],
        ),
        (
            lambda: story.write_text(story.read_text().replace("[20, 300, 120, 60]", "[20, 300, 120, 61]")),
            ["photo Aslan-at-home.jpg: regions drawn changed"],
        ),
        (lambda: story.write_text(story.read_text().replace("drove me", "drove us")), ["testimony changed"]),
        (
            lambda: config.write_text(config.read_text().replace("style: solid", "style: pixelate")),
            ["settings changed: style solid → pixelate", "photo Aslan-at-home.jpg: style solid → pixelate"],
        ),
        (
            lambda: config.write_text(
                config.read_text().replace("style: pixelate", "style: pixelate\n      min_text: 8")
            ),
            ["settings changed: min_text 12 → 8"],
        ),
    ]
    for change, expected in changes:
        change()
        assert build() == set()
        entry = report_of(tmp_path)["aslan-real-name"]
        assert (entry["status"], entry["changes"]) == ("needs review", expected)
        assert not (tmp_path / "site" / "stories" / "amir").exists()
        current = story.read_text()
        story.write_text(current + " ")
        with pytest.raises(InputError, match="changed since the report was made"):
            approve(tmp_path, "aslan-real-name")  # on a stale report: refused
        story.write_text(current)
        build(draft=True)
        approve(tmp_path, "aslan-real-name")
        assert build() == {"aslan-real-name"}
    # A rejected story that changed waits for review again.
    (project.stories / "timur.md").write_text((project.stories / "timur.md").read_text().replace("A street", "A road"))
    build()
    assert report_of(tmp_path)["timur"]["status"] == "needs review"


def test_an_upgrade_that_redacts_alike_keeps_the_approval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another release of ONNX Runtime, OpenCV or Pillow, or another processor: every version
    string differs, each face box lies a fraction of a pixel elsewhere and scores differ. What
    the curator saw is the same, so the approval holds; a region that really moves voids it."""
    write_curated(tmp_path)
    config = tmp_path / "mkdocs.yml"
    build_site(config, AS_OF, draft=True)
    approve(tmp_path, "aslan-real-name")

    def face_box() -> list[int]:
        regions = report_of(tmp_path)["aslan-real-name"]["photos"][0]["image"]["regions"]
        (face,) = [r["box"] for r in regions if r["reason"] == "face"]
        return list(face)

    approved = face_box()
    for module in (centerface, text_detection, yunet, segment):
        monkeypatch.setattr(module, "version", lambda name: "99.0.0")
    detectors: tuple[type[FaceDetector], ...] = (centerface.CenterFace, yunet.YuNet)
    detects: dict[type[FaceDetector], Detect] = {cls: cls.detect for cls in detectors}

    def move_faces(shift: float, grow: float) -> None:
        for cls in detectors:

            def run(self: FaceDetector, rgb: np.ndarray, detect: Detect = detects[cls]) -> list[Detection]:
                return [
                    dataclasses.replace(
                        d,
                        x=d.x + shift,
                        y=d.y - shift,
                        width=d.width * grow,
                        height=d.height * grow,
                        score=d.score * 0.97,
                    )
                    for d in detect(self, rgb)
                ]

            monkeypatch.setattr(cls, "detect", run)

    # In process and without the cache, so that the patched detectors are the ones that run.
    move_faces(0.9, 1.01)
    pages = build_site(config, AS_OF, jobs=1, use_cache=False).pages
    entry = report_of(tmp_path)["aslan-real-name"]
    faces = json.dumps(entry["photos"][0]["image"]["faces"])
    assert "99.0.0" in faces and face_box() != approved, (approved, face_box())  # a real difference, too small to see
    assert (entry["status"], entry["changes"]) == ("published", []), (approved, face_box())
    assert {page.story.slug for page in pages} == {"aslan-real-name"}
    assert "nothing to see, the decision holds" in read_page(tmp_path / "reports" / "index.html").text
    move_faces(0.0, 1.3)
    build_site(config, AS_OF, jobs=1, use_cache=False)
    entry = report_of(tmp_path)["aslan-real-name"]
    assert (entry["status"], entry["changes"]) == ("needs review", ["photo Aslan-at-home.jpg: 1 face moved or resized"])


def test_reviews_file_errors_name_the_file_and_field(tmp_path: Path) -> None:
    write_curated(tmp_path)
    reviews = tmp_path / "reviews.yml"
    for text, message in [
        ("amir: [1]\n", "amir.decision: expected a mapping with decision, date, fingerprint and parts"),
        ("amir: {decision: maybe}\n", "amir.decision: expected one of approved, rejected, got 'maybe'"),
        ("amir: {decision: approved, date: soon}\n", "amir.date: expected a date (YYYY-MM-DD), got 'soon'"),
        (
            "amir: {decision: approved, date: 2026-01-01, parts: {a: b}, fingerprint: abc}\n",
            "amir.fingerprint: does not match its parts: the file was edited by hand",
        ),
    ]:
        reviews.write_text(text)
        with pytest.raises(InputError) as failed:
            build_site(tmp_path / "mkdocs.yml", AS_OF)
        assert str(failed.value) == f"{reviews}: {message}"


def test_review_approve_reject_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_curated(tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["review"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "report: reports/index.html; draft: site-draft/",
        "waiting    aslan-real-name: not reviewed yet",
        "waiting    timur: not reviewed yet",
        "excluded   musa: consent withdrawn on 2025-01-01",
    ]
    result = runner.invoke(main, ["approve", "aslan-real-name", "--by", "A. Curator"], catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout.startswith("approved aslan-real-name (fingerprint ")
    result = runner.invoke(main, ["reject", "timur", "--reason", " "], catch_exceptions=False)
    assert result.exit_code == 2 and result.stderr == "anonymize: --reason: say why the story is rejected\n"
    result = runner.invoke(main, ["reject", "timur", "--reason", "too recognisable"], catch_exceptions=False)
    assert result.exit_code == 0
    result = runner.invoke(main, ["approve", "musa"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == "anonymize: stories/musa.md: consent withdrawn on 2025-01-01: there is nothing to approve\n"
    result = runner.invoke(main, ["approve", "nobody"], catch_exceptions=False)
    assert result.exit_code == 2 and "no story 'nobody' in the report (stories: aslan-real-name, musa, timur)" in (
        result.stderr
    )
    decisions = Reviews.load(tmp_path / "reviews.yml").decisions
    assert {name: (d.decision, d.by, d.on) for name, d in decisions.items()} == {
        "aslan-real-name": ("approved", "A. Curator", dt.date.today()),
        "timur": ("rejected", None, dt.date.today()),
    }
    result = runner.invoke(main, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "published  aslan-real-name: page stories/amir/, 1 picture (2 sizes), testimony" in result.stdout
    assert "excluded   timur: rejected on " in result.stdout


def _face_area(site: Path, box: list[int], size: tuple[int, int]) -> np.ndarray:
    """The middle of ``box`` (in the upright original's pixels) in the largest published picture:
    inside the ellipse a head is redacted with."""
    largest = max((site / "pictures").iterdir(), key=lambda p: Image.open(p).width)
    with Image.open(largest) as image:
        pixels = np.asarray(image.convert("RGB").resize(size)).astype(int)
    x, y, w, h = box
    return pixels[y + h // 4 : y + 3 * h // 4, x + w // 4 : x + 3 * w // 4]


def test_a_kept_region_comes_back_and_the_report_and_approval_say_so(tmp_path: Path) -> None:
    project = write_curated(tmp_path)
    (project.stories / "timur.md").unlink()
    (project.stories / "musa.md").unlink()
    build_site(tmp_path / "mkdocs.yml", AS_OF, draft=True)
    approve(tmp_path, "aslan-real-name")
    (photo,) = report_of(tmp_path)["aslan-real-name"]["photos"]
    (face,) = [r for r in photo["image"]["regions"] if r["reason"] == "face"]
    original = np.asarray(Image.open(project.photos / "Aslan-at-home.jpg").convert("RGB")).astype(int)
    x, y, w, h = face["box"]
    draft = tmp_path / "site-draft"
    assert _face_area(draft, face["box"], (640, 480)).mean() < 30, "the face is redacted before it is kept"

    story = project.stories / "aslan-real-name.md"
    text = story.read_text()
    keep = f"    keep:\n      - {{box: {face['box']}, reason: a painted portrait on the wall}}\n"
    story.write_text(text.replace("    regions:\n", keep + "    regions:\n"))
    build_site(tmp_path / "mkdocs.yml", AS_OF, draft=True)
    entry = report_of(tmp_path)["aslan-real-name"]
    assert entry["status"] == "needs review"
    assert entry["changes"] == ["photo Aslan-at-home.jpg: regions kept added", "photo Aslan-at-home.jpg: 1 face fewer"]
    image = entry["photos"][0]["image"]
    assert [r["reason"] for r in image["regions"]] == ["a house number"]
    (kept,) = image["kept"]
    assert kept["box"] == face["box"] and kept["reason"] == "a painted portrait on the wall"
    assert kept["source"] == "photos[0].keep[0]"
    assert [o["reason"] for o in kept["overruled"]] == ["face"] and kept["overruled"][0]["box"] == face["box"]
    assert image["verification"]["passed"] is True
    shown = _face_area(draft, face["box"], (640, 480))
    middle = original[y + h // 4 : y + 3 * h // 4, x + w // 4 : x + 3 * w // 4]
    assert np.abs(shown - middle).mean() < 12, "the kept area is as photographed"
    html = (tmp_path / "reports" / "index.html").read_text()
    assert html.count('class="overlay overlay--kept"') == 1 and "a painted portrait on the wall" in html
    approve(tmp_path, "aslan-real-name")
    assert {page.story.slug for page in build_site(tmp_path / "mkdocs.yml", AS_OF).pages} == {"aslan-real-name"}

    # A keep whose box is no detection's any more stops the build, naming the story and the field.
    story.write_text(story.read_text().replace(f"box: {face['box']}", "box: [300, 20, 50, 50]"))
    with pytest.raises(BuildErrors) as caught:
        build_site(tmp_path / "mkdocs.yml", AS_OF)
    (line,) = caught.value.lines()
    assert line.endswith(
        "stories/aslan-real-name.md: photo Aslan-at-home.jpg: photos[0].keep[0]: no face or text found has the box"
        " [300, 20, 50, 50] any more (the photo or the detectors changed): copy the region's box from the report"
        " again, or remove the keep"
    )
