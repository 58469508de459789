"""JSON decoding for pages: orjson's speed, the standard library's leniency.

Decoding is a fifth of replaying a spool with the standard library. orjson rejects a few
documents ``json`` accepts (integers beyond 64 bits, ``NaN``), so those fall back to ``json``:
what a page decodes to never depends on which parser read it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    """The decoded document; ``ValueError`` (a ``json.JSONDecodeError``) when it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)
