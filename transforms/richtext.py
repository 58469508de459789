"""Rich-text HTML to plain text, for the ``<field>_text`` companions of HTML columns.

Basecamp's rich text uses a small tag set (div, h1, br, strong, em, strike, a, pre, ol, ul, li,
blockquote, plus ``bc-attachment``/``figure`` for files and mentions). The plain text keeps
the words and one line per block, drops the markup and blank lines, and decodes entities:
what search, word counts and notebooks want.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = {"div", "p", "h1", "h2", "h3", "br", "li", "pre", "blockquote", "figure", "tr",
          "figcaption"}
BLANKS = re.compile(r"[ \t]+")
GAPS = re.compile(r"\n\s*\n+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag == "bc-attachment":
            caption = dict(attrs).get("caption") or dict(attrs).get("filename")
            if caption:
                self.parts.append(caption)

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str | None) -> str | None:
    """Plain text of an HTML fragment; None stays None."""
    if html is None:
        return None
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = BLANKS.sub(" ", "".join(parser.parts))
    lines = (line.strip() for line in text.split("\n"))
    return GAPS.sub("\n", "\n".join(lines)).strip()
