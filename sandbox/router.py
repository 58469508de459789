"""Routing tables on ``werkzeug.routing``: a family declares its paths as ``Rule``s.

Each rule's endpoint is the family's description of the route (usually naming its handler
function), so dispatch is a table lookup, not a method name built from a string. Paths are
matched as the client sent them (still percent-encoded), slashes are never merged or
redirected, and a path that isn't in the table is simply None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.routing.exceptions import RoutingException


class Router:
    """A werkzeug ``Map`` bound once, answering (endpoint, arguments) or None."""

    def __init__(
        self, rules: Iterable[Rule], converters: Mapping[str, type[BaseConverter]] | None = None
    ) -> None:
        self.map = Map(list(rules), strict_slashes=True, merge_slashes=False,
                       converters=dict(converters or {}))
        self._adapter = self.map.bind("sandbox.invalid")

    def match(self, path: str) -> tuple[Any, dict[str, Any]] | None:
        """The endpoint and converted arguments of ``path``, or None when no rule fits."""
        if path.startswith("//"):  # werkzeug strips leading slashes; no rule starts empty
            return None
        try:
            endpoint, args = self._adapter.match(path, method="GET")
        except (HTTPException, RoutingException):
            return None
        return endpoint, args
