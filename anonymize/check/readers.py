"""The checker's own readers of a built site: what HTML and CSS load, what text they show, and
which blocks a picture file holds. They share nothing with the code that wrote the site.
"""

from __future__ import annotations

import html.parser
import re
import struct
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: (tag, attribute) pairs through which a page makes the browser fetch something by itself.
LOADING_ATTRIBUTES = frozenset({
    ("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"), ("script", "src"),
    ("iframe", "src"), ("frame", "src"), ("embed", "src"), ("object", "data"), ("video", "src"),
    ("video", "poster"), ("audio", "src"), ("track", "src"), ("input", "src"), ("image", "href"),
    ("use", "href"), ("image", "xlink:href"), ("use", "xlink:href"), ("body", "background"),
    ("table", "background"), ("td", "background"), ("base", "href"), ("portal", "src"),
    ("link", "imagesrcset"),
})  # fmt: skip
#: (tag, attribute) pairs through which a page sends something when the visitor acts (submits a
#: form, follows a link): another host would learn who reads the exhibition.
SENDING_ATTRIBUTES = frozenset({
    ("form", "action"), ("button", "formaction"), ("input", "formaction"), ("a", "ping"), ("area", "ping"),
})  # fmt: skip
#: ``<link rel=…>`` values that make the browser fetch (or connect to) the target.
LOADING_RELS = frozenset({
    "stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
    "preload", "prefetch", "preconnect", "dns-prefetch", "modulepreload", "prerender", "manifest",
})  # fmt: skip
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))|@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
#: ``image-set("a.png" 1x, …)`` names pictures by bare strings as well as by ``url()``.
_IMAGE_SET = re.compile(r"image-set\(([^;{}]*)\)", re.IGNORECASE)
_CSS_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\"\s;]+)", re.IGNORECASE)


def is_remote(url: str) -> bool:
    """Whether fetching ``url`` from a page would reach another host."""
    url = re.sub(r"[\t\n\r]", "", url).strip()
    parts = urlsplit(url)
    return bool(parts.netloc) or url.startswith("//") or parts.scheme.lower() not in ("", "data", "blob", "about")


def css_loads(css: str) -> list[str]:
    """Every URL a style sheet (or a ``style`` attribute) would fetch."""
    urls = [next(group for group in match if group) for match in _CSS_URL.findall(css) if any(match)]
    for candidates in _IMAGE_SET.findall(css):
        urls += [a or b for a, b in _CSS_STRING.findall(candidates) if a or b]
    return urls


@dataclass
class HtmlPage:
    """What an HTML file loads, shows and declares."""

    loads: list[str] = field(default_factory=list)
    sends: list[str] = field(default_factory=list)  # where a visitor's action would send something
    text: list[str] = field(default_factory=list)  # text between tags, in order
    values: list[str] = field(default_factory=list)  # attribute values (alt, title, content…)
    policies: list[str] = field(default_factory=list)  # Content-Security-Policy metas
    scripts: list[str] = field(default_factory=list)  # inline script code


class _HtmlReader(html.parser.HTMLParser):
    def __init__(self, page: HtmlPage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.inside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        page = self.page
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            page.values.append(value)
            if (tag, name) in LOADING_ATTRIBUTES:
                page.loads += _srcset(value) if name.endswith("srcset") else [value]
            if (tag, name) in SENDING_ATTRIBUTES:
                page.sends += value.split() if name == "ping" else [value]
            if name == "style":
                page.loads += css_loads(value)
        rels = set(values.get("rel", "").lower().split())
        if tag == "link" and rels & LOADING_RELS:
            page.loads.append(values.get("href", ""))
        if tag == "meta":
            equiv = values.get("http-equiv", "").lower()
            if equiv == "content-security-policy":
                page.policies.append(values.get("content", ""))
            if equiv == "refresh":
                page.loads += _REFRESH_URL.findall(values.get("content", ""))
        if tag in ("script", "style"):
            self.inside.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.inside and self.inside[-1] == tag:
            self.inside.pop()

    def handle_data(self, data: str) -> None:
        if self.inside and self.inside[-1] == "style":
            self.page.loads += css_loads(data)
        elif self.inside and self.inside[-1] == "script":
            self.page.scripts.append(data)
        else:
            self.page.text.append(data)


def read_html(text: str) -> HtmlPage:
    page = HtmlPage()
    reader = _HtmlReader(page)
    reader.feed(text)
    reader.close()
    return page


def _srcset(value: str) -> list[str]:
    return [item.split()[0] for item in value.split(",") if item.split()]


def readings(page: HtmlPage) -> list[str]:
    """The ways a page's words can be read: text nodes run together (markup inside a word, as in
    ``Zelim<b>khan</b>``, does not split it for a reader), apart, and every attribute value."""
    return ["".join(page.text), " ".join(page.text), *page.values]


# --- picture files ---------------------------------------------------------------------------
#: JPEG markers a plain picture needs: start/end, tables, frame and scan headers, restarts.
_JPEG_PLAIN = {0xD8, 0xD9, 0xDB, 0xC4, 0xDD, 0xDA, *range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC),
               *range(0xCD, 0xD0), *range(0xD0, 0xD8)}  # fmt: skip
#: PNG chunks that hold pixels or how to show them, nothing about where or by whom it was made.
_PNG_PLAIN = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD", b"pHYs"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def jpeg_extras(data: bytes) -> list[str]:
    """Every block of a JPEG beyond the picture itself: APPn (but a bare JFIF), comments, trailers."""
    if not data.startswith(b"\xff\xd8"):
        return ["not a JPEG stream"]
    found: list[str] = []
    pos = 2
    while pos < len(data):
        if data[pos] != 0xFF:
            return [*found, f"unreadable structure at byte {pos}"]
        marker = data[pos + 1] if pos + 1 < len(data) else -1
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            if pos + 2 < len(data):
                found.append(f"{len(data) - pos - 2} bytes after the end of the picture")
            return found
        if marker == -1 or pos + 4 > len(data):
            return [*found, "truncated"]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        payload = data[pos + 4 : pos + 2 + length]
        if marker == 0xE0 and payload.startswith(b"JFIF\x00") and len(payload) == 14 and payload[12:14] == b"\0\0":
            pass  # JFIF version and density, no thumbnail
        elif marker not in _JPEG_PLAIN:
            found.append(_jpeg_block(marker, payload))
        pos += 2 + length
        if marker == 0xDA:  # entropy-coded data runs to the next marker that is not a restart
            pos = _after_scan(data, pos)
            if pos < 0:
                return [*found, "no end of picture"]
    return [*found, "no end of picture"]


_NOT_A_MARKER = frozenset({0x00, 0xFF, *range(0xD0, 0xD8)})  # stuffing, fill, restarts


def _after_scan(data: bytes, pos: int) -> int:
    """Where the marker ending the entropy-coded data from ``pos`` is (-1: none before the end);
    found with ``bytes.find``, not a byte at a time, since a 2400 px picture has a megabyte of it."""
    while True:
        pos = data.find(b"\xff", pos, len(data) - 1)
        if pos < 0:
            return -1
        if data[pos + 1] not in _NOT_A_MARKER:
            return pos
        pos += 1


def _jpeg_block(marker: int, payload: bytes) -> str:
    if marker == 0xFE:
        return "a comment (COM)"
    if 0xE0 <= marker <= 0xEF:
        kind = payload.split(b"\0", 1)[0][:30].decode("latin-1")
        label = {"Exif": "EXIF (may hold GPS, dates, camera, a thumbnail)", "JFIF": "a JFIF thumbnail"}.get(kind, kind)
        return f"APP{marker - 0xE0} block: {label or 'unnamed'}"
    return f"marker 0x{marker:02X}"


def png_extras(data: bytes) -> list[str]:
    """Every PNG chunk beyond pixels and colour (text, EXIF, ICC, time) and anything after IEND."""
    if not data.startswith(_PNG_SIGNATURE):
        return ["not a PNG stream"]
    found = []
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind not in _PNG_PLAIN:
            found.append(f"{kind.decode('latin-1')} chunk")
        pos += 12 + length
        if kind == b"IEND":
            if pos < len(data):
                found.append(f"{len(data) - pos} bytes after the end of the picture")
            return found
    return [*found, "no end of picture"]
