"""Accessibility repairs the theme leaves to us, made on the finished HTML.

Material's search panel is a ``role="dialog"`` with no accessible name (axe: aria-dialog-name,
serious), although the search field inside it is labelled. A dialog without a name gets the
label of the first labelled field it holds.
"""

from __future__ import annotations

import re

_DIALOG = re.compile(r"<(\w+)\b([^>]*\brole=[\"']?dialog[\"']?[^>]*)>", re.IGNORECASE)
_NAMED = re.compile(r"\baria-label(ledby)?\s*=", re.IGNORECASE)
_FIELD_LABEL = re.compile(r"<input\b[^>]*\baria-label=\"([^\"]+)\"", re.IGNORECASE)


def name_dialogs(html: str) -> str:
    """``html`` with every unnamed dialog named after the first labelled field inside it."""

    def named(match: re.Match[str]) -> str:
        tag, attributes = match.group(1), match.group(2)
        if _NAMED.search(attributes):
            return match.group(0)
        field = _FIELD_LABEL.search(html, match.end())
        if field is None:
            return match.group(0)
        return f'<{tag}{attributes} aria-label="{field.group(1)}">'

    return _DIALOG.sub(named, html)
