"""What keeps a visitor private: settings refused, and what every page's head must say.

Visitors may be at risk for reading the exhibition. The site loads nothing from another host,
tells the browser so in a Content-Security-Policy of its own (a second line of defence should a
theme or a hand-written page try), sends no referrer, names no generator and, unless told
otherwise, asks search engines to stay away.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

#: Material for MkDocs' default ``theme.font`` loads Google Fonts from Google's servers.
_FONT_THEMES = frozenset({"material"})
#: MkDocs' own theme loads highlight.js and its styles from cdnjs unless told not to.
_HIGHLIGHT_THEMES = frozenset({"mkdocs"})
#: Material's analytics and the repository facts (star counts) it fetches for ``repo_url``.
_REFUSED_EXTRA = ("analytics",)

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_GENERATOR = re.compile(r"""<meta\s+name\s*=\s*["']?generator["']?[^>]*>\s*""", re.IGNORECASE)
_CHARSET = re.compile(r"<meta\s+charset\s*=[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_LASTMOD = re.compile(r"\s*<lastmod>[^<]*</lastmod>")
_BUILD_STAMP = re.compile(r"<!--(?:(?!-->).)*?\bBuild Date UTC\b.*?-->\s*", re.DOTALL)
_SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})


def config_problems(
    theme_name: str | None,
    theme: Mapping[str, object],
    repo_url: str | None,
    extra: Mapping[str, object],
    extra_css: Iterable[object],
    extra_javascript: Iterable[object],
) -> list[str]:
    """Settings that would make visitors' browsers contact another host, one line each."""
    problems = []
    if theme_name in _FONT_THEMES and theme.get("font") is not False:
        problems.append("theme.font: set it to false; the theme would load its fonts from Google's servers")
    if theme_name in _HIGHLIGHT_THEMES and theme.get("highlightjs") is not False:
        problems.append(
            "theme.highlightjs: set it to false; the theme would load highlight.js from cdnjs.cloudflare.com"
        )
    analytics = theme.get("analytics")
    if isinstance(analytics, Mapping) and any(analytics.values()):
        problems.append("theme.analytics: remove it; analytics tell a third party who reads the exhibition")
    if repo_url:
        problems.append("repo_url: remove it; the theme would fetch the repository's star counts from its host")
    for key in _REFUSED_EXTRA:
        if extra.get(key):
            problems.append(f"extra.{key}: remove it; analytics tell a third party who reads the exhibition")
    for name, items in (("extra_css", extra_css), ("extra_javascript", extra_javascript)):
        for item in items:
            url = str(getattr(item, "path", item))
            if is_remote(url):
                problems.append(f"{name}: {url} is on another host; ship the file with the site")
    return problems


def is_remote(url: str) -> bool:
    """Whether a URL as written in a page leads to another host (``//host`` included)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme.lower() not in ("", "data", "blob", "mailto", "tel")


def content_security_policy(script_hashes: Iterable[str], inline_scripts: bool = False) -> str:
    """The policy every page carries: this site only; inline scripts only by their hash.

    ``data:`` pictures are allowed: the theme draws its icons from data URLs in its CSS, and a
    data URL loads nothing. ``inline_scripts`` is for the local preview only, whose server
    injects a reload script no hash can know in advance.
    """
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in sorted(set(script_hashes)))])
    if inline_scripts:
        scripts = "'self' 'unsafe-inline'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def inline_script_hashes(html: str) -> list[str]:
    """Base64 SHA-256 of every inline script the browser would run, as CSP names them."""
    hashes = []
    for match in _SCRIPT.finditer(html):
        attributes, body = match.group(1), match.group(2)
        kind = _TYPE.search(attributes)
        if _SRC.search(attributes) or (kind is not None and kind.group(1).lower() not in _SCRIPT_TYPES):
            continue  # a file (covered by 'self') or data (JSON), which no browser runs
        hashes.append(base64.b64encode(hashlib.sha256(body.encode()).digest()).decode())
    return hashes


def private_head(html: str, noindex: bool, preview: bool = False) -> str:
    """``html`` with the privacy headers first in its head and no generator tag.

    Raises ``ValueError`` when the page has no head to put them in.
    """
    html = _GENERATOR.sub("", html)
    policy = content_security_policy(inline_script_hashes(html), preview)
    metas = [
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        '<meta name="referrer" content="no-referrer">',
    ]
    if noindex:
        metas.append('<meta name="robots" content="noindex, nofollow">')
    anchor = _CHARSET.search(html) or _HEAD.search(html)  # after the charset, which must come first
    if anchor is None:
        raise ValueError("the page has no <head> for its Content-Security-Policy")
    return html[: anchor.end()] + "\n" + "\n".join(metas) + html[anchor.end() :]


def without_build_stamp(html: str) -> str:
    """``html`` without the comment MkDocs' own theme ends its home page with (its version and
    the build's date and time: when the exhibition last changed, and with what)."""
    return _BUILD_STAMP.sub("", html)


def without_dates(sitemap: str) -> str:
    """A sitemap without ``lastmod``: the build day says when the exhibition last changed."""
    return _LASTMOD.sub("", sitemap)


ROBOTS_NOINDEX = "User-agent: *\nDisallow: /\n"


def finish_indexing(site: Path, *, noindex: bool) -> None:
    """Keep search engines away (robots.txt, no sitemap), or make the sitemap's archive
    deterministic: MkDocs stamps it with the build time, and nothing else in it may differ."""
    sitemap = site / "sitemap.xml"
    if noindex:
        sitemap.unlink(missing_ok=True)
        (site / "sitemap.xml.gz").unlink(missing_ok=True)
        (site / "robots.txt").write_text(ROBOTS_NOINDEX, encoding="utf-8")
    elif sitemap.is_file():
        with gzip.GzipFile(site / "sitemap.xml.gz", "wb", mtime=0) as archive:
            archive.write(sitemap.read_bytes())
