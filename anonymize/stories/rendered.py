"""The testimony as visitors will see it: rendered once, and read back for what it may not hold.

The one Markdown rendering that is both checked and published, and a reader of that HTML that
collects its text and refuses tags, attributes and links a testimony may not carry.
"""

from __future__ import annotations

import html.parser
import re

import markdown

from anonymize.stories.text import MESSENGER_SCHEMES

#: Tags a testimony may render to: what Markdown makes of prose. Pictures go under ``photos:``.
TESTIMONY_TAGS = frozenset(
    {"p", "br", "hr", "em", "strong", "blockquote", "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre"}
)
#: Attributes a testimony's tags may carry; ``style``, ``class`` and event handlers would reach
#: the page's look and behaviour.
TESTIMONY_ATTRIBUTES = frozenset({"href", "title"})
#: A link may go to a web page or stay on the site; mailto:, tel: and friends are contact details
#: (found, and allowed or not, like any other); javascript:, data: and file: are refused.
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_LINK_SCHEMES = frozenset({"http", "https", *MESSENGER_SCHEMES})


def render_testimony(text: str) -> str:
    """Render testimony Markdown to HTML: the one rendering that is both checked and published."""
    return markdown.markdown(text, output_format="html")


class RenderedTestimony(html.parser.HTMLParser):
    """Text and attribute values of rendered HTML, and any tag or link a testimony may not hold."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.refused_tags: set[str] = set()
        self.refused_links: set[str] = set()
        self.refused_attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TESTIMONY_TAGS:
            self.refused_tags.add(tag)
        for name, value in attrs:
            if name not in TESTIMONY_ATTRIBUTES:
                self.refused_attributes.add(name)
            if value is None:
                continue
            self.parts.append(f" {value} ")
            # Browsers drop tabs and newlines from a URL and trim controls and spaces around it:
            # "java&#9;script:" is "javascript:" to them.
            url = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33))))
            scheme = _SCHEME.match(url)
            if name == "href" and scheme is not None and scheme.group(1).lower() not in _LINK_SCHEMES:
                self.refused_links.add(value)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        return "".join(self.parts)
