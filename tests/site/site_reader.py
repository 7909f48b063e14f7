"""Read a built site back as a visitor's browser and a crawler would: pages, links, loads."""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from anonymize.check.readers import LOADING_ATTRIBUTES, LOADING_RELS, SENDING_ATTRIBUTES

#: What makes a browser load or send something: the site check's lists, one home for both (the
#: browser test ``test_the_site_check_sees_every_load_chromium_makes`` holds them to Chromium).
LOADING = LOADING_ATTRIBUTES | SENDING_ATTRIBUTES
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)


@dataclass
class Page:
    """What one HTML file holds, as parsed."""

    path: Path
    images: list[dict[str, str | None]] = field(default_factory=list)
    loads: list[str] = field(default_factory=list)
    metas: list[dict[str, str | None]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    langs: list[tuple[str, str]] = field(default_factory=list)  # (tag, lang)
    order: list[str] = field(default_factory=list)  # tag[.class] of every start tag, in order
    html_lang: str | None = None
    text: str = ""


class _Parser(html.parser.HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        page = self.page
        page.order.append(tag + "".join(f".{c}" for c in (values.get("class") or "").split()))
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "html":
            page.html_lang = values.get("lang")
        if "lang" in values and values["lang"] is not None:
            page.langs.append((tag, values["lang"]))
        if tag == "img":
            page.images.append(values)
        if tag == "meta":
            page.metas.append(values)
        if tag == "a" and values.get("href"):
            page.links.append(str(values["href"]))
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in LOADING:
                page.loads.extend(
                    _srcset(value) if name.endswith("srcset") else value.split() if name == "ping" else [value]
                )
            if name == "style":
                page.loads.extend(css_urls(value))
        rels = set((values.get("rel") or "").lower().split())
        if tag == "link" and rels & LOADING_RELS and values.get("href"):
            page.loads.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            if self.lasttag == "style":
                self.page.loads.extend(css_urls(data))
            return
        self.parts.append(data)


def _srcset(value: str) -> list[str]:
    return [item.strip().split()[0] for item in value.split(",") if item.strip()]


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]


def read_page(path: Path) -> Page:
    page = Page(path)
    parser = _Parser(page)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    page.text = " ".join("".join(parser.parts).split())
    return page


def serious_violations(axe_response: dict[str, Any]) -> list[str]:
    """What axe-core found serious or critical on a page, a line each with its first targets."""
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
        for v in axe_response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def is_remote(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme.lower() not in ("", "data", "blob")


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a site by its relative path, with its bytes."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
