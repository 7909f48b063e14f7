"""Render the curator report's HTML page from its JSON document (as read back from disk)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import jinja2

from anonymize.image.reasons import FACE, POSSIBLE_FACE, POSSIBLE_TEXT, TEXT

#: The page loads nothing: no scripts at all, pictures from its own folder, its one style block.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; form-action 'none'"

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("anonymize.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


#: What each kind of region is called in the report's table.
KIND_NAMES = {
    "face": "face",
    "review": "possible face",
    "text": "text",
    "text-review": "possible text",
    "manual": "manual",
}


def region_kind(reason: str) -> str:
    """How the report draws a region: a face, a possible face to look at, text, possible text, or
    a manual region."""
    return {FACE: "face", POSSIBLE_FACE: "review", TEXT: "text", POSSIBLE_TEXT: "text-review"}.get(reason, "manual")


def render_html(document: Mapping[str, object]) -> str:
    """The report page: a summary, then every story with its photos, text and decisions."""
    css = resources.files("anonymize.report").joinpath("templates/report.css").read_text(encoding="utf-8")
    template = _ENV.get_template("report.html")
    return template.render(
        report=document, csp=CONTENT_SECURITY_POLICY, kind=region_kind, kind_names=KIND_NAMES, css=css
    )
