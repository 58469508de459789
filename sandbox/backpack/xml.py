"""A tiny XML writer that reproduces the two Backpack styles byte for byte.

A generic serializer can't: ws responses use single-quoted attributes and `` />`` self-closing
tags, REST ones double quotes and ``/>``, and note/e-mail bodies are pretty-printed *inside*
the element (newline, indentation, text, newline) which clients must cope with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INDENT = "  "


@dataclass
class Node:
    """One element: ``text`` None means no text; ``block`` pretty-prints the text."""

    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    text: str | None = None
    block: bool = False


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(value: str, quote: str) -> str:
    escaped = escape_text(value)
    return escaped.replace("'", "&apos;") if quote == "'" else escaped.replace('"', "&quot;")


def serialize(node: Node, quote: str) -> str:
    """The document text for ``node`` in the style of ``quote`` (``'`` ws, ``"`` REST)."""
    lines: list[str] = []
    _write(node, quote, 0, lines)
    return "\n".join(lines) + "\n"


def _write(node: Node, quote: str, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    attrs = "".join(f" {k}={quote}{escape_attr(v, quote)}{quote}" for k, v in node.attrs)
    head = f"{pad}<{node.tag}{attrs}"
    if node.children:
        lines.append(head + ">")
        for child in node.children:
            _write(child, quote, depth + 1, lines)
        lines.append(f"{pad}</{node.tag}>")
    elif node.text is None:
        lines.append(head + (" />" if quote == "'" else "/>"))
    elif node.block:
        inner = INDENT * (depth + 1)
        body = "\n".join(inner + escape_text(line) if line else "" for line in
                         node.text.split("\n"))
        lines.append(f"{head}>\n{body}\n{pad}</{node.tag}>")
    else:
        lines.append(f"{head}>{escape_text(node.text)}</{node.tag}>")
