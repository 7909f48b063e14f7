"""Build fixture exhibitions and read the site back: pages, pictures, privacy, determinism."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import html.parser
import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image

from anonymize.errors import BuildErrors, InputError, InputErrors
from anonymize.site.build import build_site
from anonymize.site.pages import interface_strings
from tests.conftest import EXIFTOOL, exiftool_leftovers
from tests.dirty import scene
from tests.site.approvals import approve_all
from tests.site.projects import write_project
from tests.site.site_reader import css_urls, html_pages, is_remote, read_page, tree
from tests.stories.project import AS_OF, Project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exhibition")
    write_project(root)
    build_site(root / "mkdocs.yml", AS_OF)
    return root


def site_of(root: Path) -> Path:
    return root / "site"


def test_a_page_per_published_story_and_none_for_the_rest(built: Path) -> None:
    site = site_of(built)
    pages = {p.relative_to(site).as_posix() for p in html_pages(site)}
    assert {"stories/amir/index.html", "stories/lena/index.html", "stories/timur/index.html"} <= pages
    assert "stories/надя/index.html" in pages
    assert not any("musa" in p or "gone" in p for p in pages)
    gallery = read_page(site / "stories/index.html")
    links = [unquote(link) for link in gallery.links]
    assert [link for link in links if link.startswith(("amir", "lena", "timur", "надя"))] == [
        "amir/", "lena/", "timur/", "надя/"
    ]  # fmt: skip
    assert "Musa" not in gallery.text


def test_nothing_of_a_withdrawn_story_or_a_file_name_or_a_term_is_published(built: Path) -> None:
    """Not in any page, picture name, search index or sitemap: names, terms, slugs, file names."""
    forbidden = ["Musa", "Withdrawn words", "zelimkhan", "Argun", "Grozn", "Грозн", "IMG_0042", "portrait-only",
                 "street.jpg", "Never to be published"]  # fmt: skip
    for name, data in tree(site_of(built)).items():
        text = data.decode("utf-8", "replace").casefold()
        for word in forbidden:
            assert word.casefold() not in name.casefold(), name
            if name.endswith((".html", ".json", ".xml", ".txt")):
                assert word.casefold() not in text, f"{word} in {name}"


def test_every_picture_is_a_verified_derivative_named_by_its_content(built: Path) -> None:
    site = site_of(built)
    pictures = sorted((site / "pictures").iterdir())
    # Amir's 1800 px photo at 480, 960, 1600 and 1800; his street photo at 480 and 640; Timur's
    # street photo is the same picture redacted the same way: the same files. Musa's: none.
    assert len(pictures) == 6
    originals = {p.read_bytes() for p in (built / "photos").rglob("*.jpg")}
    for path in pictures:
        data = path.read_bytes()
        assert path.name == hashlib.sha256(data).hexdigest()[:20] + ".jpg"
        assert data not in originals
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.mode == "RGB" and getattr(image, "n_frames", 1) == 1
            assert not image.getexif() and set(image.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
            assert image.width <= 2400
        if EXIFTOOL:
            assert exiftool_leftovers(path) == []


def test_every_img_has_alt_text_a_derivative_srcset_and_its_size(built: Path) -> None:
    site = site_of(built)
    seen = 0
    for path in html_pages(site):
        for img in read_page(path).images:
            seen += 1
            assert (img.get("alt") or "").strip(), f"{path}: an <img> without alt text"
            src = str(img["src"])
            assert "://" not in src and not src.startswith("/"), src  # relative: the site works from any folder
            target = (path.parent / src).resolve()
            assert target.is_file() and target.parent == (site / "pictures").resolve()
            widths = []
            for item in str(img["srcset"]).split(","):
                url, width = item.split()
                assert (path.parent / url).resolve().is_file()
                with Image.open(path.parent / url) as image:
                    assert f"{image.width}w" == width
                    widths.append(image.width)
            with Image.open(path.parent / str(img["srcset"]).split(",")[-1].split()[0]) as largest:
                assert (img["width"], img["height"]) == (str(largest.width), str(largest.height))
            assert widths == sorted(widths)
    assert seen >= 4  # Amir's two, Timur's one, the gallery's cards


def test_warnings_come_before_the_testimony_and_pictures_with_warnings_are_behind_a_details(built: Path) -> None:
    page = read_page(site_of(built) / "stories/amir/index.html")
    order = page.order
    warning = order.index("div.anonymize-warning")
    assert warning < order.index("figure.anonymize-figure") < order.index("section.anonymize-testimony")
    details = order.index("details.anonymize-reveal")
    assert order[details + 1].startswith("summary") and "figure.anonymize-figure" in order[details:]
    assert page.text.index("Content warning: violence") < page.text.index("My brother")
    assert "a place of detention" in page.text
    assert "[name withheld]" in page.text and "Zelimkhan" not in page.text
    # The gallery shows the first picture that needs no warning, and no excerpt of a warned testimony.
    gallery = read_page(site_of(built) / "stories/index.html")
    assert gallery.images[0]["alt"] == "A man seen from behind near [name withheld]"
    assert "My brother" not in gallery.text and "She wrote letters." in gallery.text


def test_portrait_only_story_has_pictures_and_no_testimony(built: Path) -> None:
    page = read_page(site_of(built) / "stories/timur/index.html")
    assert len(page.images) == 1 and "Never to be published" not in page.text
    assert "section.anonymize-testimony" not in page.order


def test_languages(built: Path) -> None:
    page = read_page(site_of(built) / "stories/надя/index.html")
    assert page.html_lang == "en"  # the interface
    assert ("div", "ru") in page.langs  # the testimony
    assert "[имя скрыто]" in page.text


def test_every_page_has_the_privacy_headers_and_no_generator(built: Path) -> None:
    for path in html_pages(site_of(built)):
        page = read_page(path)
        html = path.read_text(encoding="utf-8")
        csp = [m for m in page.metas if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        assert len(csp) == 1, path
        policy = str(csp[0]["content"])
        assert policy.startswith("default-src 'self';") and "'unsafe-inline'" not in policy
        # Every inline script the page runs is allowed by its hash, and nothing else is.
        scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts}
        assert hashes == set(re.findall(r"'sha256-[^']+'", policy)), path
        assert html.index("Content-Security-Policy") < html.index("<script"), "the policy comes before any script"
        assert {"name": "referrer", "content": "no-referrer"} in page.metas
        assert {"name": "robots", "content": "noindex, nofollow"} in page.metas
        assert not [m for m in page.metas if m.get("name") == "generator"]
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", html), f"a date in {path}"


def test_no_sitemap_with_noindex_and_robots_keeps_crawlers_out(built: Path) -> None:
    site = site_of(built)
    assert not (site / "sitemap.xml").exists() and not (site / "sitemap.xml.gz").exists()
    assert (site / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"


# What the theme's scripts name but never load here (comments and licence blocks aside): each
# needs a feature the plugin refuses or the page does not use, and the Content-Security-Policy
# would block it anyway; the browser test records every request a page really makes.
THEME_SCRIPT_MENTIONS = {
    "api.github.com",  # repository facts, only with repo_url (refused)
    "unpkg.com",  # Mermaid and a polyfill, only for diagrams
    "bit.ly",  # a link printed in the search worker's warning about a bad query
    "github.com",  # issue links in error messages of node-glob, bundled in lunr's Thai segmenter
}
_JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'\\/])//[^\n]*", re.DOTALL)


def test_nothing_is_loaded_from_another_host(built: Path) -> None:
    site = site_of(built)
    for path in html_pages(site):
        remote = [url for url in read_page(path).loads if is_remote(url)]
        assert remote == [], f"{path}: {remote}"
    for path in site.rglob("*.css"):
        remote = [url for url in css_urls(path.read_text(encoding="utf-8")) if is_remote(url)]
        assert remote == [], f"{path}: {remote}"
    for path in site.rglob("*.js"):
        code = _JS_COMMENT.sub("", path.read_text(encoding="utf-8"))
        hosts = set(re.findall(r"https?://([a-zA-Z0-9.-]+\.[a-zA-Z]{2,})", code))
        assert hosts <= THEME_SCRIPT_MENTIONS, f"{path}: {sorted(hosts - THEME_SCRIPT_MENTIONS)}"


def test_two_builds_are_byte_identical_and_plain_mkdocs_builds_the_same(built: Path, tmp_path: Path) -> None:
    build_site(built / "mkdocs.yml", AS_OF, tmp_path / "again")
    first, again = tree(site_of(built)), tree(tmp_path / "again")
    assert first.keys() == again.keys()
    assert [name for name in first if first[name] != again[name]] == []
    # ``mkdocs build --strict`` runs the same plugin; only the day consent is judged on differs,
    # and nothing in this project changes between AS_OF and today.
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(built / "mkdocs.yml"),
         "-d", str(tmp_path / "plain")],
        check=True, capture_output=True,
    )  # fmt: skip
    assert tree(tmp_path / "plain") == first


def test_withdrawing_consent_removes_the_page_and_its_pictures(tmp_path: Path) -> None:
    project = write_project(tmp_path)
    build_site(tmp_path / "mkdocs.yml", AS_OF)
    before = tree(site_of(tmp_path))
    story = project.stories / "zelimkhan-real-name.md"
    story.write_text(story.read_text().replace("given: 2024-01-01", "given: 2024-01-01\n  withdrawn: 2026-01-01"))
    build_site(tmp_path / "mkdocs.yml", AS_OF)
    after = tree(site_of(tmp_path))
    assert "stories/amir/index.html" in before and "stories/amir/index.html" not in after
    # Timur's page lists the street photo Amir's story lists too: a withdrawal withholds it from both.
    assert [n for n in after if n.startswith("pictures/")] == []
    assert "stories/timur/index.html" not in after  # nothing left to publish
    assert "Amir" not in after["search/search_index.json"].decode()


def test_a_failing_photo_fails_the_build_and_leaves_the_last_site(tmp_path: Path) -> None:
    project = write_project(tmp_path)
    build_site(tmp_path / "mkdocs.yml", AS_OF)
    before = tree(site_of(tmp_path))
    (project.photos / "street.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    with pytest.raises(BuildErrors) as caught:
        build_site(tmp_path / "mkdocs.yml", AS_OF)
    lines = caught.value.lines()
    # Both stories listing the photo are named, each on its own line.
    assert len(lines) == 2 and all("photo street.jpg" in line for line in lines), lines
    assert caught.value.exit_code == 2
    assert tree(site_of(tmp_path)) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site")], "no staging folder left"


def test_a_bad_story_fails_the_build_with_every_problem(tmp_path: Path) -> None:
    project = write_project(tmp_path)
    project.story("broken", "pseudonym: X\nphotos:\n  - file: nowhere.jpg\n    alt: A\n")
    project.story("chatty", "pseudonym: Y\n", "Call +7 912 345 67 89.\n")
    with pytest.raises(InputErrors) as caught:
        build_site(tmp_path / "mkdocs.yml", AS_OF)
    assert any("nowhere.jpg" in line for line in caught.value.lines())
    assert any("phone number" in line for line in caught.value.lines())
    assert not site_of(tmp_path).exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("theme:\n  name: material\n", "theme.font: set it to false"),
        ("theme:\n  name: material\n  font: false\nrepo_url: https://example.org/x/y\n", "repo_url: remove it"),
        ("theme:\n  name: material\n  font: false\nextra_css: [https://cdn.example.org/a.css]\n", "extra_css:"),
        ("theme:\n  name: material\n  font: false\nextra:\n  analytics: {provider: google}\n", "extra.analytics"),
        ("theme:\n  name: mkdocs\n", "theme.highlightjs: set it to false"),
        ("theme:\n  name: mkdocs\n  highlightjs: false\n  analytics: {gtag: G-X}\n", "theme.analytics: remove it"),
    ],
)
def test_settings_that_reach_another_host_are_refused(tmp_path: Path, setting: str, message: str) -> None:
    write_project(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text(re.sub(r"theme:\n  name: material\n  font: false\n", setting, config.read_text()))
    with pytest.raises(InputErrors) as caught:
        build_site(config, AS_OF)
    [line] = caught.value.lines()
    assert line.startswith(f"{config}: {message}")


def test_indexing_allowed_gives_a_sitemap_without_dates(tmp_path: Path) -> None:
    write_project(tmp_path, extra_plugin="      noindex: false\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_url: https://exhibition.example/\n" + config.read_text())
    build_site(config, AS_OF)
    site = site_of(tmp_path)
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>" in sitemap and "lastmod" not in sitemap
    assert gzip.decompress((site / "sitemap.xml.gz").read_bytes()).decode() == sitemap
    assert (site / "sitemap.xml.gz").read_bytes()[4:8] == b"\0\0\0\0"  # no time stamp
    assert not (site / "robots.txt").exists()
    assert all('name="robots"' not in p.read_text() for p in html_pages(site))


def test_the_report_stays_outside_the_site(built: Path) -> None:
    report = json.loads((built / "reports" / "report.json").read_text())
    assert [s["status"] for s in report["stories"] if s["story"] == "zelimkhan-real-name"] == ["published"]
    assert not any("reports" in name or "report.json" in name for name in tree(site_of(built)))


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A copy of the bundled sample exhibition, built as the README says."""
    root = tmp_path_factory.mktemp("sample")
    for name in ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    result = subprocess.run(
        [sys.executable, "-m", "anonymize", "build"],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return root, result


def test_the_sample_exhibition_builds_with_the_readme_command(
    sample: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    root, result = sample
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"as of {dt.date.today()}: 3 stories published to site/ (gallery: stories/), checked; "
        "report: reports/index.html"
    )
    assert "excluded   musa: story: consent withdrawn on 2025-06-01" in result.stdout
    site = root / "site"
    assert (site / "index.html").is_file() and (site / "help" / "index.html").is_file()
    assert {"amir", "lena", "надя"} <= {p.name for p in (site / "stories").iterdir() if p.is_dir()}


def test_the_sample_approvals_match_what_the_sample_publishes(
    sample: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    """The sample ships approved; a change to what it shows must renew the approvals on purpose."""
    root, result = sample
    assert result.returncode == 0, result.stderr
    stories = json.loads((root / "reports" / "report.json").read_text())["stories"]
    stale = {s["story"]: s["changes"] for s in stories if s["status"] == "needs review"}
    names = " ".join(sorted(stale))
    assert not stale, (
        f"the sample's approvals in reviews.yml no longer match what it publishes: {stale}. If that change "
        "is meant, look at reports/index.html and renew them: .venv/bin/anonymize review, then "
        f"for s in {names}; do .venv/bin/anonymize approve $s --by 'Sample curator'; done"
    )
    assert {s["story"] for s in stories if s["status"] == "published"} == {"amir", "lena", "nadia"}


def test_pixels_of_a_redacted_region_are_redacted_in_every_size(tmp_path: Path) -> None:
    project = Project(tmp_path)
    Image.fromarray(scene(1200, 800, seed=7)).save(project.photos / "p.jpg", quality=95)
    project.story(
        "s",
        "pseudonym: Ali\nphotos:\n  - file: p.jpg\n    alt: A\n    regions:\n"
        "      - {box: [600, 400, 300, 200], reason: a sign}\n",
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# X\n")
    (tmp_path / "mkdocs.yml").write_text(
        textwrap.dedent("""\
        site_name: T
        theme: {name: material, font: false}
        plugins: [anonymize]
        """)
    )
    approve_all(tmp_path / "mkdocs.yml")
    build_site(tmp_path / "mkdocs.yml", AS_OF)
    for path in (tmp_path / "site" / "pictures").iterdir():
        with Image.open(io.BytesIO(path.read_bytes())) as image:
            pixels = np.asarray(image.convert("RGB")).astype(int)
            scale = image.width / 1200
        inner = pixels[int(420 * scale) : int(580 * scale), int(620 * scale) : int(880 * scale)]
        assert inner.max() < 24, f"{path.name}: the box is not solid black"


def _layouts(site: Path) -> dict[str, str]:
    """Which of the exhibition's layouts each page has (from its outermost anonymize-page class)."""
    found = {}
    for path in html_pages(site):
        match = re.search(r'class="anonymize-page anonymize-([\w-]+)"', path.read_text())
        if match:
            found[path.relative_to(site).as_posix()] = match.group(1)
    return found


@pytest.mark.parametrize("theme", ["material", "mkdocs"])
def test_the_exhibition_pages_have_their_layouts_under_either_theme(tmp_path: Path, theme: str) -> None:
    """Home, gallery, stories and help are the exhibition's own pages under both themes, with the
    same content; each story links to help and to its neighbours; no page names its build day."""
    write_project(tmp_path, theme)
    config = tmp_path / "mkdocs.yml"
    (tmp_path / "docs" / "help.md").write_text("# How to help\n\nShare the pages.\n", encoding="utf-8")
    build_site(config, AS_OF)
    site = site_of(tmp_path)
    layouts = _layouts(site)
    assert layouts == {
        "index.html": "home",
        "help/index.html": "text",
        "stories/index.html": "gallery-page",
        "stories/amir/index.html": "story",
        "stories/lena/index.html": "story",
        "stories/timur/index.html": "story",
        "stories/надя/index.html": "story",
    }
    amir = read_page(site / "stories" / "amir" / "index.html")
    assert {"../../help/", "../lena/", "../"} <= set(amir.links)
    home = (site / "index.html").read_text()
    assert 'class="anonymize-figure anonymize-figure--lead"' in home  # the first picture needing no warning
    for path in html_pages(site):
        text = path.read_text()
        assert "Build Date" not in text and "mkdocs.org" not in text, path
        assert 'style="' not in text, f"{path}: an inline style the Content-Security-Policy blocks"


def test_a_help_page_that_is_not_there_is_refused_by_name(tmp_path: Path) -> None:
    write_project(tmp_path)
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text() + "      help_page: support.md\n")
    shutil.rmtree(site_of(tmp_path), ignore_errors=True)
    with pytest.raises(InputError) as caught:
        build_site(tmp_path / "mkdocs.yml", AS_OF)
    assert (
        str(caught.value)
        == f"{tmp_path}/mkdocs.yml: plugins.anonymize.help_page: {tmp_path}/docs/support.md is not a page of the docs"
    )
    assert not site_of(tmp_path).exists()


def test_the_lead_picture_is_the_one_named_and_never_one_of_a_withdrawn_story(tmp_path: Path) -> None:
    write_project(tmp_path, extra_plugin="      lead: withdrawn.jpg\n")
    build_site(tmp_path / "mkdocs.yml", AS_OF)
    site = site_of(tmp_path)
    home = read_page(site / "index.html")
    lead = home.images[0]
    # Musa withdrew: his garden never leads; the gallery's first picture needing no warning does.
    amir = read_page(site / "stories" / "amir" / "index.html").images[0]
    assert str(lead["src"]).rsplit("/", 1)[-1] == str(amir["src"]).rsplit("/", 1)[-1]
    config = tmp_path / "mkdocs.yml"
    config.write_text(config.read_text().replace("lead: withdrawn.jpg", "lead: portrait-only"))
    build_site(config, AS_OF)
    timur = read_page(site / "stories" / "timur" / "index.html").images[0]
    lead = read_page(site / "index.html").images[0]
    assert str(lead["src"]).rsplit("/", 1)[-1] == str(timur["src"]).rsplit("/", 1)[-1]


class _LanguageOfText(html.parser.HTMLParser):
    """Each piece of text and each title/aria-label of what the exhibition writes into a page
    (inside its anonymize-page or anonymize-draft element; the theme's own navigation is the
    theme's), with the language it is in: the nearest lang attribute around it."""

    VOID = frozenset({"img", "br", "hr", "meta", "link", "input", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str, bool]] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang") or (self.stack[-1][1] if self.stack else "")
        classes = (values.get("class") or "").split()
        ours = bool({"anonymize-page", "anonymize-draft"} & set(classes)) or (
            self.stack[-1][2] if self.stack else False
        )
        for name in ("title", "aria-label", "alt"):
            if values.get(name) and ours:
                self.found.append((str(values[name]), lang))
        if tag not in self.VOID:
            self.stack.append((tag, lang, ours))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack and self.stack[-1][2]:
            self.found.append((data.strip(), self.stack[-1][1]))


def _languages(path: Path) -> list[tuple[str, str]]:
    parser = _LanguageOfText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


def test_interface_words_in_another_language_than_the_theme_say_which(tmp_path: Path) -> None:
    """ui_language: ru under an English theme: every interface word is marked Russian (the draft
    banner too), and the stories' own words keep their language."""
    write_project(tmp_path, extra_plugin="      ui_language: ru\n")
    build_site(tmp_path / "mkdocs.yml", AS_OF, draft=True)
    site = tmp_path / "site-draft"
    strings = set(interface_strings("ru").values())
    seen: dict[str, set[str]] = {}
    for page in ("index.html", "stories/index.html", "stories/amir/index.html", "stories/надя/index.html"):
        found = _languages(site / page)
        assert read_page(site / page).html_lang == "en"
        for text, lang in found:
            for string in strings:
                if string in text:
                    seen.setdefault(string, set()).add(lang)
        if page == "stories/amir/index.html":
            assert ("We did not look back.", "en") in found  # the story's words keep their own language
    assert len(seen) >= 10, sorted(seen)  # the check saw the interface
    assert {string: langs for string, langs in seen.items() if langs != {"ru"}} == {}
