"""Basecamp 3/4/5 tables. Drafted from ``shared/reference/bc4/openapi.json`` component schemas
with ``tools/gen_bc4_schemas.py`` (``--check`` diffs these tables against openapi), then adjusted
to the SDK fixtures, which carry a few fields openapi lacks (``comment_count``,
``billable_status``).

Partitions: account-level tables (people, projects, templates, lineup markers) by
``account_id``; everything inside a project by ``(account_id, project_id)``. The project id is
the recording's ``bucket.id``: the crawl fills ``project_id`` from the project it walks, and
for account-wide lists (``/chats.json``, ``/projects/recordings.json``, gauges) it must take it
from each item's ``bucket.id``; ``bucket__id`` is declared too, so the two can be cross-checked.
The normalizer does not derive ``project_id`` from ``bucket__id`` itself.

Conventions:

- Ids are int64; timestamps UTC microseconds; date-only fields (``due_on``, ``starts_on``,
  ``start_date``, ``group_on``, ``date``) are dates. Schedule entries keep all-day values as
  dates in ``starts_on``/``ends_on`` (``date_or_time``, as for BC2 calendar events).
- Every content item is a recording with ``status`` (active/archived/trashed), ``parent__*``,
  ``bucket__*`` and the full embedded ``creator__*`` person as seen at extraction time.
- Rich text: HTML is kept verbatim in ``content``/``description`` and each has a declared
  plain-text companion ``content_text``/``description_text``, which the normalizer fills
  (``transforms.richtext``); ``*_attachments`` arrays are child tables
  ``<table>__content_attachments``/``<table>__description_attachments``.
- Person ids: openapi types them int64, but system actors (``personable_type``
  ``LocalPerson``) have string ids such as ``"campfire"`` or ``"basecamp"``. Rule: every person
  id column (``id`` in people tables, ``creator__id``, ``completer__id``, ...) stays int64 and
  a string id belongs in the sibling ``system_label`` column (``creator__system_label``) with
  the id null (numeric strings are just ids). The normalizer applies this to every id column
  that has a ``…system_label`` sibling.
- To-do list groups are rows of ``todolists``: a group's ``parent__type`` is ``Todolist`` and
  it has ``group_position_url`` (a list has ``groups_url`` and a Todoset parent). ``is_group``
  is set by the crawl through row constants (``Normalizer.rows(..., constants=...)``).
- Child tables are keyed by their parent key plus ``ordinal`` (position in the source list);
  embedded lists of first-class things (card table columns, card steps) land in their own table.

The declarations are split by subject: ``shapes`` (column shapes shared by many tables and the
nested-list helpers), ``account``, ``tools`` (the dock tools), ``cards`` and ``recordings``.
``TABLES`` keeps the one declaration order (it is the order of ``docs/tables.md``).
"""

from __future__ import annotations

from transforms.schemas import Registry
from transforms.schemas.bc4 import account, cards, recordings, tools

TABLES = Registry("bc4", [*account.TABLES, *tools.TABLES, *cards.TABLES, *recordings.TABLES])
