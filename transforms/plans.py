"""Record layouts compiled into tuple extractors: flattening at the speed of dict lookups.

Records of one table mostly share a layout: the same keys at every level, the same values
nested as objects or lists. ``Plan`` learns a layout from one record the way
``transforms.normalize._flatten`` walks it (objects flatten into ``parent__child`` columns,
lists go to child tables, dropped names are skipped) and compiles a function that, for any
record of exactly that layout, returns its scalar leaves and its lists as two tuples, and for
any other record returns None. The check is strict (the key set of every object, the kind of
every value), so a record that fits flattens exactly as the per-record walk would flatten it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Extract = Callable[[Mapping[str, Any]], "tuple[tuple[Any, ...], tuple[list[Any], ...]] | None"]
NESTED = frozenset({dict, list})
ONLY_LISTS = frozenset({list})
MAX_PLANS = 64


@dataclass(frozen=True)
class Plan:
    """One layout: its scalar columns and lists (flattened names) and their extractor."""

    columns: tuple[str, ...]
    lists: tuple[str, ...]
    extract: Extract = field(repr=False, compare=False)


def plan_of(record: Mapping[str, Any], drop: frozenset[str]) -> Plan:
    """Compile the layout of ``record`` (dropped names are checked present, never read).

    Every object's size is compared and every one of its keys read, so a record with a
    missing or an extra key fails (KeyError or size), and so does one whose value changes
    kind (an object, a list or a scalar where the layout had another).
    """
    checks: list[str] = []
    scalars: list[tuple[str, str]] = []
    lists: list[tuple[str, str]] = []
    _layout(record, "", "r", drop, checks, scalars, lists)
    lines = ["def extract(r):", f"    if len(r) != {len(record)}: return None", "    try:"]
    lines += [f"        {line}" for line in checks]
    lines.append(f"        s = ({''.join(f'{ref}, ' for _, ref in scalars)})")
    lines.append(f"        l = ({''.join(f'{ref}, ' for _, ref in lists)})")
    lines.append("    except KeyError:")
    lines.append("        return None")
    lines.append("    if not NESTED.isdisjoint(map(type, s)): return None")
    if lists:
        lines.append("    if not ONLY_LISTS.issuperset(map(type, l)): return None")
    lines.append("    return s, l")
    scope: dict[str, Any] = {"NESTED": NESTED, "ONLY_LISTS": ONLY_LISTS}
    # The source is ours: names are Python literals made by repr(), never text from a record.
    exec(compile("\n".join(lines), "<plan>", "exec"), scope)
    return Plan(tuple(n for n, _ in scalars), tuple(n for n, _ in lists), scope["extract"])


def _layout(obj: Mapping[str, Any], prefix: str, ref: str, drop: frozenset[str],
            checks: list[str], scalars: list[tuple[str, str]],
            lists: list[tuple[str, str]]) -> None:
    """Collect one object level's leaves in ``_flatten``'s order, and the checks they need."""
    for key, value in obj.items():
        name = prefix + key
        item = f"{ref}[{key!r}]"
        if name in drop:
            checks.append(f"{item}")
        elif isinstance(value, dict):
            local = f"d{len(checks)}"
            checks.append(f"{local} = {item}")
            checks.append(f"if type({local}) is not dict or len({local}) != {len(value)}: "
                          "return None")
            _layout(value, name + "__", local, drop, checks, scalars, lists)
        elif isinstance(value, list):
            lists.append((name, item))
        else:
            scalars.append((name, item))


class Plans:
    """The layouts met so far for one table; ``fit`` finds (or learns) a record's layout."""

    def __init__(self, drop: frozenset[str]) -> None:
        self.drop = drop
        self.known: list[Plan] = []
        self._last = 0

    def fit(self, record: Mapping[str, Any]) -> tuple[int, Any] | None:
        """(plan number, extracted values), or None when too many layouts were met."""
        known = self.known
        if known:
            found = known[self._last].extract(record)
            if found is not None:
                return self._last, found
            for number, plan in enumerate(known):
                found = plan.extract(record)
                if found is not None:
                    self._last = number
                    return number, found
        if len(known) >= MAX_PLANS:
            return None
        known.append(plan_of(record, self.drop))
        self._last = len(known) - 1
        found = known[-1].extract(record)
        return None if found is None else (self._last, found)
