"""The site's parts on their own: web sizes, page names, excerpts, privacy headers."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from anonymize.image.derive import DEFAULT_WIDTHS, derivative_sizes, derive
from anonymize.site.a11y import name_dialogs
from anonymize.site.pages import excerpt, interface_strings, page_slug
from anonymize.site.privacy import content_security_policy, inline_script_hashes, is_remote, private_head
from tests.dirty import scene


@given(st.integers(1, 9000), st.integers(1, 9000))
def test_sizes_never_enlarge_and_keep_the_aspect(width: int, height: int) -> None:
    sizes = derivative_sizes((width, height))
    assert sizes and [w for w, _ in sizes] == sorted({w for w, _ in sizes})
    assert all(w <= min(width, max(DEFAULT_WIDTHS)) for w, _ in sizes)
    assert all(abs(h - height * w / width) <= 0.5 or h == 1 for w, h in sizes)


def test_sizes_of_common_frames() -> None:
    assert [w for w, _ in derivative_sizes((6000, 4000))] == [480, 960, 1600, 2400]
    assert [w for w, _ in derivative_sizes((1800, 1200))] == [480, 960, 1600, 1800]
    assert derivative_sizes((300, 200)) == [(300, 200)]


def test_derive_writes_verified_sizes_named_by_content(tmp_path: Path) -> None:
    source = tmp_path / "verified.jpg"
    Image.fromarray(scene(1000, 700)).save(source, quality=90)
    made = derive(source, tmp_path / "web")
    assert [d.width for d in made] == [480, 960, 1000]
    for d in made:
        data = d.path.read_bytes()
        assert d.path.name == hashlib.sha256(data).hexdigest()[:20] + ".jpg" and d.byte_count == len(data)
        with Image.open(d.path) as image:
            assert image.size == (d.width, d.height) and not image.getexif()
            assert not image.info.get("comment") and "icc_profile" not in image.info
        small = np.asarray(Image.open(d.path).convert("RGB").resize((100, 70))).astype(int)
        expected = np.asarray(Image.fromarray(scene(1000, 700)).resize((100, 70))).astype(int)
        assert np.abs(small - expected).mean() < 6  # the same picture, only smaller
    assert sorted(p.name for p in (tmp_path / "web").iterdir()) == sorted(d.path.name for d in made)


@pytest.mark.parametrize(
    ("pseudonym", "slug"),
    [("Amir", "amir"), ("Надя", "надя"), ("Jean-Luc N.", "jean-luc-n"), ("  A_B  ", "a-b"), ("!!!", "story")],
)
def test_page_slugs(pseudonym: str, slug: str) -> None:
    assert page_slug(pseudonym) == slug


def test_excerpt_is_the_first_paragraph_cut_at_a_word() -> None:
    assert excerpt("<p>One <em>two</em>.</p><p>Three.</p>") == "One two."
    long = "<p>" + "word " * 100 + "</p>"
    cut = excerpt(long, limit=30)
    assert cut.endswith("…") and len(cut) <= 30 and cut[:-1].split() == ["word"] * len(cut[:-1].split())


def test_interface_strings_in_english_and_russian_have_the_same_keys() -> None:
    assert interface_strings("en").keys() == interface_strings("ru-RU").keys()
    with pytest.raises(KeyError, match="available: en, ru"):
        interface_strings("xx")


PAGE = """<!doctype html><html><head>
<meta charset="utf-8">
<meta name="generator" content="mkdocs-1.6.1, mkdocs-material-9.8.1">
<script>var a = 1;</script>
<script id="__config" type="application/json">{"a": 1}</script>
<script src="x.js"></script>
<script type="module">import "./y.js";</script>
</head><body></body></html>"""


def test_only_scripts_a_browser_runs_inline_are_hashed() -> None:
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert inline_script_hashes(PAGE) == [digest("var a = 1;"), digest('import "./y.js";')]


def test_private_head_comes_right_after_the_charset() -> None:
    out = private_head(PAGE, noindex=True)
    head = out[out.index('<meta charset="utf-8">') :]
    assert head.split("\n")[1].startswith('<meta http-equiv="Content-Security-Policy"')
    assert '<meta name="referrer" content="no-referrer">' in out and "noindex, nofollow" in out
    assert "generator" not in out
    assert "noindex" not in private_head(PAGE, noindex=False)
    with pytest.raises(ValueError, match="no <head>"):
        private_head("<p>no head</p>", noindex=True)


def test_the_policy_allows_this_site_only() -> None:
    policy = content_security_policy(["abc"])
    assert policy.startswith("default-src 'self'; script-src 'self' 'sha256-abc'")
    assert "'unsafe-inline'" not in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" in content_security_policy([], inline_scripts=True)


@pytest.mark.parametrize(
    ("url", "remote"),
    [("https://a.org/x", True), ("//cdn.org/x.css", True), ("ftp://a/b", True), ("assets/a.css", False),
     ("/a.css", False), ("data:image/png;base64,AA", False), ("../pictures/a.jpg", False)],
)  # fmt: skip
def test_remote_urls(url: str, remote: bool) -> None:
    assert is_remote(url) is remote


def test_unnamed_dialogs_are_named_after_their_labelled_field() -> None:
    page = '<div class="md-search" role="dialog"><form><input aria-label="Search" name="q"></form></div>'
    assert name_dialogs(page).startswith('<div class="md-search" role="dialog" aria-label="Search">')
    named = '<div role="dialog" aria-labelledby="t"><input aria-label="Search"></div>'
    assert name_dialogs(named) == named
