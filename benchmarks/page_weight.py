"""What a visitor downloads for a story page: the page without its pictures, and a phone's pictures.

    python -m benchmarks.page_weight [--work DIR]

The sample exhibition is built under Material (as it ships) and under MkDocs' own theme, served
on this machine, and each story page loaded in Chromium (Debian's, through Playwright):

- at 1280 px, every response that is not a picture (HTML, CSS, JavaScript, fonts, the search
  index), each gzipped at level 6 as a web server would send it, added up: the goal is at most
  61 KB under Material;
- at 360 px (device pixel ratio 1 and 2), the bytes of the pictures the phone fetched, and for
  each picture whether it was the smallest published size that fills the screen's width.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-21"
GOAL_KB = 61
PAGES = ["stories/amir/", "stories/lena/", "stories/надя/"]
MKDOCS_THEME = "theme:\n  name: mkdocs\n  locale: en\n  highlightjs: false\n"
EVERY_PICTURE_NOW = "() => document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; i.scrollIntoView(); })"
PICTURE = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build(work: Path, theme: str) -> Path:
    """The sample built under ``theme`` in ``work/theme``; its site folder."""
    root = work / theme
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for name in ("mkdocs.yml", "reviews.yml", "docs", "stories", "photos"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    if theme == "mkdocs":
        config = (root / "mkdocs.yml").read_text()
        start = config.index("theme:\n")
        end = config.index("\nnav:", start) + 1
        (root / "mkdocs.yml").write_text(config[:start] + MKDOCS_THEME + config[end:])
    subprocess.run([sys.executable, "-m", "anonymize", "build", "-q", "--as-of", AS_OF], cwd=root, check=True)
    return root / "site"


def measure(browser: object, base: str, page: str) -> tuple[int, dict[int, tuple[int, list[str]]]]:
    """Gzipped bytes of the page without pictures at 1280 px; per device pixel ratio at 360 px,
    the pictures' bytes and one line per picture that was not the smallest size filling it."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    bodies: dict[str, bytes] = {}
    tab.on("response", lambda response: bodies.__setitem__(response.url, response.body()))
    tab.goto(base + page, wait_until="networkidle")
    context.close()
    text = sum(
        len(gzip.compress(body, 6, mtime=0)) for url, body in bodies.items() if not url.lower().endswith(PICTURE)
    )
    phone: dict[int, tuple[int, list[str]]] = {}
    for scale in (1, 2):
        context = browser.new_context(  # type: ignore[attr-defined]
            viewport={"width": 360, "height": 740}, device_scale_factor=scale, is_mobile=True
        )
        tab = context.new_page()
        fetched: dict[str, int] = {}

        def record(response: object, into: dict[str, int] = fetched) -> None:
            into[response.url.rsplit("/", 1)[-1]] = len(response.body())  # type: ignore[attr-defined]

        tab.on("response", record)
        tab.goto(base + page, wait_until="networkidle")
        tab.evaluate(EVERY_PICTURE_NOW)
        tab.wait_for_load_state("networkidle")
        pictures = tab.evaluate(
            """() => [...document.querySelectorAll('.anonymize-figure img')].filter(i => !i.closest('details'))
                 .map(i => i.srcset.split(',').map(s => s.trim().split(' ')).map(([u, w]) => [u, parseInt(w)]))"""
        )
        context.close()
        wrong = []
        for candidates in pictures:
            widths = sorted(w for _, w in candidates)
            needed = min([w for w in widths if w >= 360 * scale] or [widths[-1]])
            taken = sorted(w for u, w in candidates if u.rsplit("/", 1)[-1] in fetched)
            if taken != [needed]:
                wrong.append(f"fetched {taken}, needed only {needed}")
        picture_bytes = sum(size for name, size in fetched.items() if name.lower().endswith(PICTURE))
        phone[scale] = (picture_bytes, wrong)
    return text, phone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "anonymize-page-weight")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for theme in ("material", "mkdocs"):
            site = build(args.work, theme)
            handler = functools.partial(_Quiet, directory=str(site))
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{httpd.server_address[1]}/"
            print(f"{theme}:")
            for page in PAGES:
                text, phone = measure(browser, base, page)
                goal = f" (goal <= {GOAL_KB})" if theme == "material" else ""
                print(f"  {page:18} without pictures {text / 1024:6.1f} KB gzipped{goal}")
                for scale, (picture_bytes, wrong) in phone.items():
                    verdict = "each the smallest that fills it" if not wrong else "; ".join(wrong)
                    print(f"  {'':18} 360 px at {scale}x: pictures {picture_bytes / 1024:6.1f} KB, {verdict}")
            httpd.shutdown()
            httpd.server_close()
        browser.close()


if __name__ == "__main__":
    main()
