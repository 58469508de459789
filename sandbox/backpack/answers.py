"""Backpack's answer kinds: ws envelopes (single quotes), REST documents, plain errors."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.backpack import render as render
from sandbox.backpack.xml import Node, serialize
from sandbox.contract import MEMBER, TEXT_TYPE
from sandbox.requestlog import ResourceShape

XML_TYPE = "application/xml; charset=utf-8"


@dataclass
class Answer:
    """A response body plus what the log needs: ws ``success`` and the oracle's shape."""

    status: int
    body: bytes
    content_type: str = XML_TYPE
    success: bool | None = None
    shape: ResourceShape | None = None


def ws(node: Node, *, success: bool = True, shape: ResourceShape | None = None) -> Answer:
    return Answer(200, serialize(node, "'").encode(), success=success,
                  shape=shape or (ResourceShape(MEMBER) if success else None))


def rest(node: Node, shape: ResourceShape | None = None) -> Answer:
    return Answer(200, serialize(node, '"').encode(), shape=shape or ResourceShape(MEMBER))


def plain(status: int, message: str) -> Answer:
    return Answer(status, (message + "\n").encode(), TEXT_TYPE)


def not_found_envelope() -> Answer:
    return ws(render.error_envelope(404, "Record not found"), success=False)


def internal_error_envelope() -> Answer:
    return ws(render.error_envelope(500, "Internal error"), success=False)
