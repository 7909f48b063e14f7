"""The sample exhibition in a real browser: requests, CSP, pictures, accessibility, no JavaScript, weight.

Drives the system's Chromium (``apt-get install chromium``) through Playwright; Playwright's own
browser download is never used. Skipped, saying why, where either is missing.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.site.site_reader import serious_violations

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
axe_module = pytest.importorskip(
    "axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed"
)

REPO = Path(__file__).resolve().parents[2]
#: A story page's first load, pictures included, with the default settings.
PAGE_BUDGET = 600 * 1024
SAMPLE_PAGES = ["index.html", "help/index.html", "stories/index.html", "stories/amir/index.html",
                "stories/lena/index.html", "stories/надя/index.html", "404.html"]  # fmt: skip


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


#: The themes the exhibition is shown under, and what the sample's mkdocs.yml says for each.
THEMES = {
    "material": None,  # the sample as it ships
    "mkdocs": "theme:\n  name: mkdocs\n  locale: en\n  highlightjs: false\n",
}


def sample_project(root: Path, theme: str) -> Path:
    """A copy of the sample exhibition in ``root``, its theme ``theme``."""
    for name in ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    if THEMES[theme] is not None:
        config = (root / "mkdocs.yml").read_text()
        start = config.index("theme:\n")
        end = config.index("\nnav:", start) + 1
        (root / "mkdocs.yml").write_text(config[:start] + str(THEMES[theme]) + config[end:])
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """The sample exhibition under a theme, built once from a copy of the project and served on
    a free local port: a function from the theme's name to the site's address."""
    served: dict[str, str] = {}
    servers: list[http.server.ThreadingHTTPServer] = []

    def site(theme: str) -> str:
        if theme not in served:
            root = sample_project(tmp_path_factory.mktemp(f"sample-{theme}"), theme)
            build = [sys.executable, "-m", "anonymize", "build", "-q"]
            subprocess.run(build, cwd=root, check=True)
            handler = functools.partial(_Quiet, directory=str(root / "site"))
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            servers.append(httpd)
            served[theme] = f"http://127.0.0.1:{httpd.server_address[1]}/"
        return served[theme]

    yield site
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module", params=sorted(THEMES))
def server(request: pytest.FixtureRequest, sites: Callable[[str], str]) -> str:
    """The sample exhibition under each theme."""
    return sites(request.param)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _url(server: str, page: str) -> str:
    return server + page.removesuffix("index.html")


RECORD_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""

OPEN_EVERYTHING = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; i.scrollIntoView(); });
  window.scrollTo(0, document.body.scrollHeight);
}"""


@pytest.mark.parametrize("page", SAMPLE_PAGES)
def test_every_request_stays_local_every_image_decodes_and_nothing_is_blocked(
    server: str, browser: object, page: str
) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.add_init_script(RECORD_CSP)
    tab.goto(_url(server, page), wait_until="networkidle")
    tab.evaluate(OPEN_EVERYTHING)
    tab.wait_for_function("() => [...document.images].every(i => i.complete)")
    tab.wait_for_load_state("networkidle")
    images = tab.evaluate("() => [...document.images].map(i => [i.currentSrc, i.naturalWidth, i.alt])")
    violations = tab.evaluate("() => window.__csp")
    context.close()
    elsewhere = [url for url in requests if not url.startswith(server) and not url.startswith(("data:", "blob:"))]
    assert elsewhere == [], f"requests to another host: {elsewhere}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"
    for src, width, alt in images:
        assert width > 0, f"{src} does not decode"
        assert alt.strip(), f"{src} has no alt text"
        assert src.startswith(server + "pictures/"), src
    if page.startswith("stories/") and page != "stories/lena/index.html":
        assert images, "a story page or the gallery without its pictures"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", SAMPLE_PAGES)
def test_axe_finds_nothing_serious(server: str, browser: object, page: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, page), wait_until="networkidle")
    tab.evaluate(OPEN_EVERYTHING)
    result = axe_module.Axe().run(tab)
    context.close()
    assert serious_violations(result.response) == []


@pytest.mark.parametrize("page", [page for page in SAMPLE_PAGES if page != "404.html"])
def test_pages_work_without_javascript(server: str, browser: object, page: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, page))
    assert len(tab.locator(".anonymize-page").inner_text().split()) > 10
    assert tab.locator(".anonymize-page a").count() >= 1  # the way on, for every page
    tab.evaluate("() => [...document.images].forEach(i => i.scrollIntoView())")
    tab.wait_for_function("() => [...document.images].every(i => i.complete || i.closest('details:not([open])'))")
    shown = tab.evaluate("() => [...document.images].filter(i => !i.closest('details')).map(i => i.naturalWidth)")
    assert all(width > 0 for width in shown), shown
    details = tab.locator("details.anonymize-reveal")
    if details.count():
        picture = details.first.locator("img")
        assert not picture.is_visible()
        details.first.locator("summary").click()
        assert picture.is_visible()
        tab.wait_for_function("() => [...document.querySelectorAll('details img')].every(i => i.complete)")
        assert tab.evaluate("() => document.querySelector('details img').naturalWidth") > 0
    context.close()


def test_the_hidden_picture_is_not_loaded_until_asked_for(server: str, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    loaded: list[str] = []
    tab.on("requestfinished", lambda request: loaded.append(request.url))
    tab.goto(_url(server, "stories/надя/index.html"), wait_until="networkidle")
    hidden = tab.evaluate("() => document.querySelector('details img').currentSrc || ''")
    assert not [url for url in loaded if "/pictures/" in url], "a picture behind a warning was loaded unasked"
    assert hidden == ""
    context.close()


@pytest.mark.parametrize("page", ["stories/index.html", "stories/amir/index.html", "stories/надя/index.html"])
def test_first_load_weighs_less_than_600_kb(sites: Callable[[str], str], browser: object, page: str) -> None:
    """Under Material, the default theme. (MkDocs' own theme ships Bootstrap and Font Awesome,
    about 1 MB more: benchmarks.page_weight prints both.)"""
    server = sites("material")
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    sizes: dict[str, int] = {}
    tab.on("response", lambda response: sizes.__setitem__(response.url, len(response.body())))
    tab.goto(_url(server, page), wait_until="networkidle")
    context.close()
    total = sum(sizes.values())
    assert total < PAGE_BUDGET, f"{total / 1024:.0f} KB: " + ", ".join(
        f"{u.rsplit('/', 1)[-1]} {s}" for u, s in sizes.items()
    )


#: Ways a page can make a browser fetch something, written as page authors and themes write them.
#: The ground truth is what Chromium requests; the list is the test's own, not the checker's.
LOADING_CONSTRUCTS = [
    '<img src="{u}" alt="">',
    '<img srcset="{u} 1x" alt="">',
    '<img src="data:," srcset="data:, 1x, {u} 2x" alt="">',
    '<picture><source srcset="{u}"><img src="data:," alt=""></picture>',
    '<script src="{u}"></script>',
    '<script type="module" src="{u}"></script>',
    '<iframe src="{u}"></iframe>',
    '<embed src="{u}">',
    '<object data="{u}"></object>',
    '<video src="{u}" preload="auto"></video>',
    '<video poster="{u}"></video>',
    '<video preload="auto"><source src="{u}"></video>',
    '<audio src="{u}" preload="auto"></audio>',
    '<video preload="auto" src="data:,"><track default kind="captions" src="{u}"></video>',
    '<input type="image" src="{u}" alt="">',
    '<svg><image href="{u}" width="1" height="1"/></svg>',
    '<svg><image xlink:href="{u}" width="1" height="1"/></svg>',
    '<svg><use href="{u}#a"/></svg>',
    '<table background="{u}"><tr><td>x</td></tr></table>',
    '<table><tr><td background="{u}">x</td></tr></table>',
    '<div style="background: url({u})">x</div>',
    "<div style=\"background-image: url('{u}')\">x</div>",
    "<div style=\"background-image: image-set('{u}' 1x)\">x</div>",
    '<style>body {{ cursor: url("{u}"), auto; }}</style>',
    '<style>@import "{u}";</style>',
    "<style>@import url({u});</style>",
    "<style>@font-face {{ font-family: x; src: url({u}); }} p {{ font-family: x; }}</style><p>x</p>",
    '<link rel="stylesheet" href="{u}">',
    '<link rel="icon" href="{u}">',
    '<link rel="shortcut icon" href="{u}">',
    '<link rel="apple-touch-icon" href="{u}">',
    '<link rel="preload" as="image" href="{u}">',
    '<link rel="preload" as="image" imagesrcset="{u} 1x">',
    '<link rel="prefetch" href="{u}">',
    '<link rel="modulepreload" href="{u}">',
    '<link rel="manifest" href="{u}">',
]


def test_the_site_check_sees_every_load_chromium_makes(browser: object) -> None:
    """Every request Chromium makes for a loading construct is one the site check reads as a load.

    Each construct gets a URL of its own on a host the test answers itself (nothing leaves the
    machine); a request the check's reader does not list would be a remote load it lets through.
    """
    from anonymize.check.readers import read_html

    urls = [f"http://elsewhere.test/{i}.x" for i in range(len(LOADING_CONSTRUCTS))]
    body = "\n".join(c.format(u=u) for c, u in zip(LOADING_CONSTRUCTS, urls, strict=True))
    page_html = f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>"
    requested: set[str] = set()

    def answer(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url == "http://page.test/":
            route.fulfill(status=200, content_type="text/html", body=page_html)  # type: ignore[attr-defined]
            return
        requested.add(url.split("#")[0])
        route.fulfill(status=404, body="")  # type: ignore[attr-defined]

    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.route("**/*", answer)
    tab.goto("http://page.test/", wait_until="load")
    tab.wait_for_load_state("networkidle")
    context.close()
    seen = set(read_html(page_html).loads)
    missed = sorted(LOADING_CONSTRUCTS[urls.index(url)] for url in requested & set(urls) if url not in seen)
    assert len(requested & set(urls)) >= 20, sorted(requested)  # the browser did fetch: the test can fail
    assert not missed


#: Where the reviewed screenshots are kept, and how they are made again on purpose.
SCREENSHOTS = REPO / "tests" / "site" / "screenshots"
UPDATE = "ANONYMIZE_UPDATE_SCREENSHOTS"
SHOT_PAGES = {"home": "index.html", "gallery": "stories/index.html", "story": "stories/amir/index.html"}
VIEWPORTS = {360: (360, 740), 1280: (1280, 800)}
#: A pixel differs when a channel moves more than this (JPEG references, antialiasing)...
PIXEL_TOLERANCE = 40
#: ... and a screenshot matches its reference when at most this share of pixels differ.
SHARE_TOLERANCE = 0.01

STILL = """() => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; '
    + 'caret-color: transparent !important; }';
  document.head.append(style);
}"""


def screenshot_difference(shot: bytes, reference: Path) -> float:
    """The share of pixels of ``shot`` (PNG bytes) that differ from the reference picture."""
    import io

    import numpy as np
    from PIL import Image

    with Image.open(io.BytesIO(shot)) as taken, Image.open(reference) as kept:
        a, b = np.asarray(taken.convert("RGB"), dtype=np.int16), np.asarray(kept.convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return 1.0
    return float((np.abs(a - b).max(axis=2) > PIXEL_TOLERANCE).mean())


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
@pytest.mark.parametrize("name", sorted(SHOT_PAGES))
def test_pages_look_as_reviewed(
    sites: Callable[[str], str], browser: object, name: str, width: int, scheme: str
) -> None:
    """The home page, the gallery and a story, at a phone's and a desktop's width, light and dark,
    against the screenshots a person reviewed (``ANONYMIZE_UPDATE_SCREENSHOTS=1`` makes them
    again; look at every one before committing it)."""
    import io
    import os

    from PIL import Image

    server = sites("material")
    w, h = VIEWPORTS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, color_scheme=scheme)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, SHOT_PAGES[name]), wait_until="networkidle")
    tab.evaluate(STILL)
    tab.wait_for_function("() => [...document.images].every(i => i.complete || i.loading === 'lazy')")
    shot = tab.screenshot()
    context.close()
    reference = SCREENSHOTS / f"{name}-{width}-{scheme}.jpg"
    if os.environ.get(UPDATE):
        SCREENSHOTS.mkdir(exist_ok=True)
        with Image.open(io.BytesIO(shot)) as taken:
            taken.convert("RGB").save(reference, "JPEG", quality=85, optimize=True)
    assert reference.is_file(), f"no reviewed screenshot {reference}: make it with {UPDATE}=1 and look at it"
    share = screenshot_difference(shot, reference)
    assert share <= SHARE_TOLERANCE, f"{share:.1%} of the pixels differ from {reference.name}"


def test_a_screenshot_that_moved_does_not_match(sites: Callable[[str], str], browser: object) -> None:
    """The comparison can fail: the story with its text shifted by a few pixels does not match."""
    server = sites("material")
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, SHOT_PAGES["story"]), wait_until="networkidle")
    tab.evaluate(STILL)
    tab.evaluate("() => { document.querySelector('.anonymize-story').style.paddingTop = '24px'; }")
    shot = tab.screenshot()
    context.close()
    reference = SCREENSHOTS / "story-1280-light.jpg"
    assert screenshot_difference(shot, reference) > SHARE_TOLERANCE


def test_keyboard_order_follows_the_page(server: str, browser: object) -> None:
    """Tab goes through a story top to bottom: its gallery link, its pictures, the call to help,
    the other portraits; nothing takes focus out of order, nothing focused is invisible."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, "stories/amir/index.html"), wait_until="networkidle")
    assert tab.evaluate("() => [...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0).length") == 0
    visited: list[dict[str, object]] = []
    for _ in range(60):
        tab.keyboard.press("Tab")
        focused = tab.evaluate(
            """() => { const e = document.activeElement; const r = e.getBoundingClientRect();
                return {inside: !!e.closest('.anonymize-page'), cls: e.className, text: e.textContent.trim(),
                        top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, left: r.left,
                        visible: r.width > 0 && r.height > 0}; }"""
        )
        visited.append(focused)
    inside = [v for v in visited if v["inside"]]
    assert inside, "the keyboard never reaches the story"
    first_round = inside[: next((i for i, v in enumerate(inside[1:], 1) if v == inside[0]), len(inside))]
    assert all(v["visible"] for v in first_round), [v for v in first_round if not v["visible"]]
    for before, after in itertools.pairwise(first_round):
        # Reading order: lower down, or on the same line (the boxes overlap) and to the right.
        below = float(str(after["top"])) >= float(str(before["bottom"])) - 1
        beside = float(str(after["top"])) < float(str(before["bottom"])) and float(str(after["left"])) > float(
            str(before["left"])
        )
        assert below or beside, f"{after['text']!r} comes after {before['text']!r} but is above or left of it"
    classes = " ".join(str(v["cls"]) for v in first_round)
    for expected in ("anonymize-figure__link", "anonymize-button", "anonymize-pager__gallery", "anonymize-pager__next"):
        assert expected in classes, f"{expected} is not reached by the keyboard"
    context.close()


@pytest.mark.parametrize("scale", [1, 2])
def test_a_phone_loads_the_smallest_size_that_fills_it(server: str, browser: object, scale: int) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 360, "height": 740}, device_scale_factor=scale, is_mobile=True
    )
    tab = context.new_page()
    loaded: list[str] = []
    tab.on("requestfinished", lambda request: loaded.append(request.url))
    tab.goto(_url(server, "stories/amir/index.html"), wait_until="networkidle")
    tab.evaluate(OPEN_EVERYTHING)
    tab.wait_for_function("() => [...document.images].every(i => i.complete)")
    tab.wait_for_load_state("networkidle")
    pictures = tab.evaluate(
        """() => [...document.querySelectorAll('.anonymize-figure img')].map(i =>
              i.srcset.split(',').map(s => s.trim().split(' ')).map(([url, w]) => [url, parseInt(w)]))"""
    )
    context.close()
    assert pictures
    fetched = {url.rsplit("/", 1)[-1] for url in loaded}
    for candidates in pictures:
        widths = sorted(width for _, width in candidates)
        # A story's pictures take the phone's whole width (sizes: 100vw): the smallest size at
        # least that many device pixels wide, or the largest there is.
        needed = min([w for w in widths if w >= 360 * scale] or [widths[-1]])
        taken = [width for url, width in candidates if url.rsplit("/", 1)[-1] in fetched]
        assert taken == [needed], (candidates, taken)


@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_nothing_moves_when_the_pictures_arrive(server: str, browser: object, width: int) -> None:
    w, h = VIEWPORTS[width]
    context = browser.new_context(viewport={"width": w, "height": h})  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.add_init_script(
        """window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
           if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: 'layout-shift', buffered: true});"""
    )
    for page in ("index.html", "stories/index.html", "stories/amir/index.html"):
        tab.goto(_url(server, page), wait_until="networkidle")
        tab.wait_for_function("() => [...document.images].every(i => i.complete || i.loading === 'lazy')")
        assert tab.evaluate("() => window.__shift") < 0.01, page
    context.close()
