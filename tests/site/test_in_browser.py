"""The sample exhibition in a real browser: requests, CSP, pictures, accessibility, no JavaScript, weight.

Drives the system's Chromium (``apt-get install chromium``) through Playwright; Playwright's own
browser download is never used. Skipped, saying why, where either is missing.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample exhibition, built from a copy of the project, served on a free local port."""
    root = tmp_path_factory.mktemp("sample")
    for name in ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    subprocess.run([sys.executable, "-m", "anonymize", "build", "-q", "--as-of", "2026-11-21"], cwd=root, check=True)
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


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


@pytest.mark.parametrize("page", SAMPLE_PAGES)
def test_axe_finds_nothing_serious(server: str, browser: object, page: str) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, page), wait_until="networkidle")
    tab.evaluate(OPEN_EVERYTHING)
    result = axe_module.Axe().run(tab)
    context.close()
    assert serious_violations(result.response) == []


@pytest.mark.parametrize("page", ["stories/amir/index.html", "stories/надя/index.html", "stories/index.html"])
def test_pages_work_without_javascript(server: str, browser: object, page: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(_url(server, page))
    assert len(tab.locator("article").inner_text().split()) > 10
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
def test_first_load_weighs_less_than_600_kb(server: str, browser: object, page: str) -> None:
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
