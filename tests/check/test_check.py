"""``anonymize check`` on a fresh build, and on the same site with one leak planted at a time."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import piexif
import pytest
from click.testing import CliRunner
from PIL import Image

from anonymize.check import Expectations, check_site, expectations
from anonymize.check.site import MANIFEST, PictureCheck, RemoteCheck, TermsCheck
from anonymize.cli import main
from anonymize.errors import BuildErrors
from anonymize.site.build import build_site
from anonymize.site.project import load_project
from tests.faces import astronaut
from tests.site.projects import PHOTO_NAME, write_project
from tests.stories.project import AS_OF


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("checked")
    write_project(root)
    build_site(root / "mkdocs.yml", AS_OF)
    return root


@pytest.fixture
def site(project: Path, tmp_path: Path) -> Path:
    """A copy of the built site, to plant a leak in."""
    copy = tmp_path / "site"
    shutil.copytree(project / "site", copy)
    return copy


@pytest.fixture(scope="module")
def expected(project: Path) -> Expectations:
    return expectations(load_project(project / "mkdocs.yml").stories)


def reasons(site: Path, expected: Expectations, **kwargs: object) -> list[tuple[str, str]]:
    return [(f.path.relative_to(site).as_posix(), f.reason) for f in check_site(site, expected, **kwargs)]  # type: ignore[arg-type]


def a_picture(site: Path) -> Path:
    return sorted((site / "pictures").glob("*.jpg"))[0]


def test_a_fresh_build_passes_and_lists_every_file(site: Path, expected: Expectations) -> None:
    assert check_site(site, expected) == []
    listed = json.loads((site / MANIFEST).read_text())["files"]
    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {MANIFEST}
    assert set(listed) == files and "search/search_index.json" in listed
    assert expected.terms[:2] == ("Grozny", "Грозный") and "Zelimkhan" in expected.terms
    assert "img_0042-zelimkhan.jpg" in expected.original_names


def test_gps_added_to_a_published_jpeg(site: Path, expected: Expectations) -> None:
    picture = a_picture(site)
    gps = {piexif.GPSIFD.GPSLatitudeRef: b"N", piexif.GPSIFD.GPSLatitude: ((43, 1), (19, 1), (0, 1))}
    piexif.insert(piexif.dump({"GPS": gps}), str(picture))
    name = picture.relative_to(site).as_posix()
    found = reasons(site, expected)
    assert (name, "changed since the build (its hash differs from the manifest's)") in found
    # Whatever the manifest says: the picture itself is read.
    assert reasons(site, expected, checks=(PictureCheck(),)) == [
        (name, "holds more than pixels: APP1 block: EXIF (may hold GPS, dates, camera, a thumbnail)")
    ]


def test_a_third_party_script_tag(site: Path, expected: Expectations) -> None:
    page = site / "stories" / "amir" / "index.html"
    page.write_text(page.read_text().replace("</body>", '<script src="https://cdn.example.net/a.js"></script></body>'))
    assert ("stories/amir/index.html", "loads https://cdn.example.net/a.js from another host") in reasons(
        site, expected, checks=(RemoteCheck(),)
    )
    assert ("stories/amir/index.html", "changed since the build (its hash differs from the manifest's)") in reasons(
        site, expected
    )


@pytest.mark.parametrize(
    "markup",
    ['<form action="https://forms.example.net/s"><button>Send</button></form>',
     '<a href="#top" ping="/count https://forms.example.net/s">Top</a>'],
)  # fmt: skip
def test_a_form_or_ping_that_sends_to_another_host(site: Path, expected: Expectations, markup: str) -> None:
    page = site / "stories" / "amir" / "index.html"
    page.write_text(page.read_text().replace("</body>", markup + "</body>"))
    assert reasons(site, expected, checks=(RemoteCheck(),)) == [
        ("stories/amir/index.html", "sends to https://forms.example.net/s, another host, when a visitor acts")
    ]


@pytest.mark.parametrize("source", ["https:", "*", "cdn.example.net", "https://cdn.example.net"])
def test_a_policy_that_lets_in_other_hosts(site: Path, expected: Expectations, source: str) -> None:
    page = site / "index.html"
    page.write_text(page.read_text().replace("script-src 'self'", f"script-src 'self' {source}", 1))
    assert reasons(site, expected, checks=(RemoteCheck(),)) == [
        ("index.html", f"its Content-Security-Policy lets in another host: {source}")
    ]


def test_a_copied_original(site: Path, project: Path, expected: Expectations) -> None:
    shutil.copy(project / "photos" / "street.jpg", site / "assets" / "backdrop.jpg")
    found = reasons(site, expected)
    assert ("assets/backdrop.jpg", "is a copy of the original street.jpg") in found
    assert ("assets/backdrop.jpg", "not in the build's manifest: left from an earlier build or added by hand") in found


def test_an_original_file_name(site: Path, expected: Expectations) -> None:
    page = site / "index.html"
    page.write_text(page.read_text().replace("</body>", f"<!-- {PHOTO_NAME} --></body>"))
    shutil.copy(a_picture(site), site / "pictures" / "IMG_0042-zelimkhan.jpg")
    found = reasons(site, expected)
    assert ("index.html", "names the original img_0042-zelimkhan.jpg") in found
    assert ("pictures/IMG_0042-zelimkhan.jpg", "is named like an original (img_0042-zelimkhan)") in found


def test_an_unredacted_face_under_a_published_name(site: Path, expected: Expectations) -> None:
    picture = a_picture(site)
    Image.fromarray(astronaut().pixels).save(picture, "JPEG", quality=90)
    found = reasons(site, expected, checks=(PictureCheck(),))
    assert len(found) == 1 and found[0][0] == picture.relative_to(site).as_posix()
    assert found[0][1].startswith("shows 1 face(s) a detector finds")


def test_a_stale_page_of_a_withdrawn_story(site: Path, expected: Expectations) -> None:
    stale = site / "stories" / "musa" / "index.html"
    stale.parent.mkdir()
    shutil.copy(site / "stories" / "lena" / "index.html", stale)
    assert reasons(site, expected) == [
        ("stories/musa/index.html", "not in the build's manifest: left from an earlier build or added by hand")
    ]


@pytest.mark.parametrize(
    "hidden",
    ["Zelimkhan", "ZELIMKHAN's", "Zelim<em>khan</em>", "&#90;elimkhan", "Грозном", "Зелимхана", "Groznyy", "Zelimhan"],
)
def test_a_redact_term_in_the_search_index(site: Path, expected: Expectations, hidden: str) -> None:
    index = site / "search" / "search_index.json"
    data = json.loads(index.read_text())
    data["docs"][0]["text"] += f" <p>{hidden} drove</p>"
    index.write_text(json.dumps(data))
    found = reasons(site, expected, checks=(TermsCheck(),))
    assert len(found) == 1 and found[0][0] == "search/search_index.json"
    assert "Zelimkhan" not in found[0][1] and "Гроз" not in found[0][1]  # never printed


@pytest.mark.parametrize("written", ["grozny", "GROZNY,", 'x="Zelimkhan"'])
def test_a_term_in_a_theme_script_is_found_and_named(site: Path, expected: Expectations, written: str) -> None:
    bundle = max((site / "assets").rglob("*.js"), key=lambda path: path.stat().st_size)
    bundle.write_text(bundle.read_text() + f"\n/* {written} */\n")
    found = reasons(site, expected, checks=(TermsCheck(),))
    listed_in = "mkdocs.yml)" if "rozny" in written.lower() else "zelimkhan-real-name.md)"
    assert [name for name, _ in found] == [bundle.relative_to(site).as_posix()]
    assert found[0][1].endswith(listed_in), found


def test_a_term_inside_a_longer_word_of_a_theme_script_is_not_a_finding(site: Path, expected: Expectations) -> None:
    bundle = max((site / "assets").rglob("*.js"), key=lambda path: path.stat().st_size)
    bundle.write_text(bundle.read_text() + "\nvar groznyness = 1;\n")
    assert reasons(site, expected, checks=(TermsCheck(),)) == []


def test_a_term_in_a_page_fails_the_build_and_keeps_the_old_site(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(project, root)
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "docs" / "index.md").write_text("# Exhibition\n\nA street in Grozny.\n")
    with pytest.raises(BuildErrors) as failed:
        build_site(root / "mkdocs.yml", AS_OF)
    site = root / "site"
    assert failed.value.lines() == [
        f"{site}/index.html: holds a name or place the exhibition withholds (redact item 1 of {root}/mkdocs.yml)",
        f"{site}/search/search_index.json: holds a name or place the exhibition withholds "
        f"(redact item 1 of {root}/mkdocs.yml)",
    ]
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before


def test_the_check_command(project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 0 and result.stdout == "site: every file as built, nothing found\n"
    assert "anonymize: site check: 7" in result.stderr.splitlines()  # progress, not a terminal: lines
    copy = tmp_path / "deployed"
    shutil.copytree(project / "site", copy)
    (copy / "extra.html").write_text("<p>hi</p>")
    result = CliRunner().invoke(main, ["check", "-q", str(copy)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"anonymize: {copy}/extra.html: not in the build's manifest: left from an earlier build or added by hand",
        f"anonymize: {copy}/extra.html: has no Content-Security-Policy",
        "anonymize: 2 findings; do not publish this site as it is",
    ]


def test_a_kept_region_excuses_a_face_only_where_the_picture_shows_the_original(
    site: Path, expected: Expectations, tmp_path: Path
) -> None:
    # A story keeps the face of a painted portrait as photographed; the check does not take the
    # build's word for it: the picture must show, there, what the kept original shows.
    pixels = astronaut().pixels
    picture = a_picture(site)
    Image.fromarray(pixels).resize((256, 256)).save(picture, "JPEG", quality=90)
    kept_original, other = tmp_path / "portrait.png", tmp_path / "other.png"
    Image.fromarray(pixels).save(kept_original)
    painted_over = pixels.copy()
    painted_over[40:260, 140:320] = 255 - painted_over[40:260, 140:320]  # another picture, the same shape
    Image.fromarray(painted_over).save(other)
    box = (120, 20, 220, 260)  # the head, in the original's pixels
    excused = dataclasses.replace(expected, kept=((kept_original, box),))
    assert reasons(site, excused, checks=(PictureCheck(),)) == []
    elsewhere = dataclasses.replace(expected, kept=((kept_original, (300, 300, 200, 200)),))
    ((_, found),) = reasons(site, elsewhere, checks=(PictureCheck(),))
    assert found.startswith("shows 1 face(s)")
    not_this_picture = dataclasses.replace(expected, kept=((other, box),))
    ((_, found),) = reasons(site, not_this_picture, checks=(PictureCheck(),))
    assert found.startswith("shows 1 face(s)")
