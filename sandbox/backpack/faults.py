"""Backpack-only fault bodies and the fault kinds the Backpack fake accepts.

- ``bomb``: HTTP 200 whose body is a billion-laughs document (nested entity expansion to
  ~3 GB if expanded). A safe client refuses DTDs/entities instead of expanding them.
- ``envelope500``: HTTP 200 carrying ``<response success='false'><error code='500'>``, so a
  client that trusts the status alone is caught.

Random faults (``faults=`` rate) draw from the generic kinds plus ``envelope500``; ``bomb`` is
only served when injected (or listed in ``fault_kinds``), as it is a test of its own.
"""

from __future__ import annotations

from sandbox.faults import FAULT_KINDS, XML_FAULT_KINDS

BACKPACK_FAULT_KINDS = (*FAULT_KINDS, *XML_FAULT_KINDS)
BACKPACK_RANDOM_FAULTS = (*FAULT_KINDS, "envelope500")

_LEVELS = 9
_FAN_OUT = 10


def billion_laughs() -> bytes:
    """An entity-expansion bomb shaped like a ws success envelope."""
    entities = ['  <!ENTITY lol0 "lol">']
    entities += [
        f'  <!ENTITY lol{level} "{f"&lol{level - 1};" * _FAN_OUT}">'
        for level in range(1, _LEVELS + 1)
    ]
    doc = (
        '<?xml version="1.0"?>\n<!DOCTYPE response [\n' + "\n".join(entities) + "\n]>\n"
        f"<response success='true'>\n  <pages>\n    <page scope='personal' "
        f"title='&lol{_LEVELS};' id='1' />\n  </pages>\n</response>\n"
    )
    return doc.encode()
