"""Backpack XML -> plain dicts, safely, in both of the API's dialects.

The ws dialect keeps fields in attributes (``<note id='1' title='x'>body</note>``); the REST
dialect uses typed child elements (``<id type="integer">5</id>``, ``nil="true"``, dashes in
names). Both become the same kind of dict the JSON families produce, so one normalizer serves
all three APIs. Parsing goes through defusedxml: entity declarations (billion laughs) and
external entities are refused, never expanded.

Timestamps that carry no zone (every ws timestamp, some REST ones) are made explicit here, in the
zone the caller names, so that storage can convert them to UTC like any other timestamp.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException

TEXT_KEY = "text"
NAIVE_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
TYPED = {"integer", "boolean", "datetime", "date", "string", "float", "decimal"}


class UnsafeXml(ValueError):
    """The document declares entities or otherwise tries something a data feed never needs."""


class BadXml(ValueError):
    """The document is not well-formed XML."""


def parse(body: bytes) -> Element:
    """Parse with entity expansion and external resolution off."""
    try:
        return safe_xml.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeXml(f"refused unsafe XML ({type(exc).__name__})") from None
    except safe_xml.ParseError as exc:
        raise BadXml(f"malformed XML: {exc}") from None


def to_value(element: Element, zone: ZoneInfo | None = None) -> Any:
    """One element as a dict, a list of records, or a scalar; see the module docstring."""
    attrs = {_key(k): _localize(v, zone) for k, v in element.attrib.items()
             if k != "nil" and not (k == "type" and v in TYPED | {"array"})}
    children = list(element)
    if element.get("nil") == "true":
        return None
    if _is_list(element, children):
        return [to_value(child, zone) for child in children]
    if not children:
        text = (element.text or "").strip()
        kind = element.get("type")
        if attrs:
            if text:
                attrs[TEXT_KEY] = text
            return attrs
        if kind in TYPED:
            return _typed(text, kind, zone)
        return _localize(text, zone) if text else None
    record = dict(attrs)
    for child in children:
        record[_key(child.tag)] = to_value(child, zone)
    text = (element.text or "").strip()
    if text:
        record[TEXT_KEY] = text
    return record


def records(body: bytes, zone: ZoneInfo | None = None) -> tuple[list[dict[str, Any]], dict]:
    """The records a response carries, and its ws envelope (``{}`` for REST roots).

    ``<response success='true'><pages>…</pages></response>`` gives the pages;
    ``<response><page>…</page></response>`` one page; a REST root list its items; a REST root
    record itself.
    """
    root = parse(body)
    envelope: dict[str, Any] = {}
    if root.tag == "response":
        envelope = {"success": root.get("success"), "error": None, "code": None}
        error = root.find("error")
        if error is not None:
            envelope.update(error=(error.text or "").strip(), code=error.get("code"))
        inner = list(root)
        if not inner or error is not None:
            return [], envelope
        root = inner[0]
    value = to_value(root, zone)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)], envelope
    return ([value] if isinstance(value, dict) else []), envelope


def _is_list(element: Element, children: list[Element]) -> bool:
    """A container: typed as an array, or only same-named record children and no attributes."""
    if element.get("type") == "array":
        return True
    if not children or len({c.tag for c in children}) != 1:
        return False
    if set(element.attrib) - {"type", "nil"}:
        return False
    return all(c.attrib or len(c) for c in children)


def _typed(text: str, kind: str, zone: ZoneInfo | None) -> Any:
    if text == "":
        return None
    if kind == "integer":
        return int(text) if text.lstrip("-").isdigit() else text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.lower(), text)
    if kind in ("float", "decimal"):
        try:
            return float(text)
        except ValueError:
            return text
    return _localize(text, zone)


def _localize(value: str, zone: ZoneInfo | None) -> str:
    """``2007-07-03 19:15:55`` in ``zone`` -> ISO 8601 with that zone's offset at that time."""
    if zone is None or not NAIVE_TIMESTAMP.match(value):
        return value
    moment = datetime.fromisoformat(value.replace(" ", "T")).replace(tzinfo=zone)
    return moment.isoformat()


def _key(name: str) -> str:
    return name.replace("-", "_")
