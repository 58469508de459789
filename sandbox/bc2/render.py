"""JSON shapes of Basecamp 2 responses, one function per kind of response.

Key sets, key order and value types follow the official examples in the reference, quirks
included, because clients are tested against them:

- summary rows vs members: members drop ``url``/``app_url`` where the examples do (project,
  person, calendar, document, message, to-do list) and add counters or embedded arrays;
- ``bucket`` appears only where the examples show it (account-wide lists, person events,
  assigned to-dos, the forward member without ``app_url``, documents with ``color``);
- to-do rows embed a to-do list snapshot that repeats ``created_at`` (emitted as a real
  duplicate key, see ``DUPLICATE_CREATED_AT``) and is stale: its counts are as of the to-do's
  own ``updated_at``;
- the to-do member embeds ``comments`` only when ``comments_count`` > 0 (the official example
  has none; to-dos are commentable, so a to-do with comments shows them);
- comments always use the full embedded shape (id, content, timestamps, private, trashed,
  attachments, creator); the message, document and to-do list examples show abbreviated
  comments (the document one even lacks ``id``), read here as documentation drift;
- attachment ``url``s point at an "asset host" (same server, other host name) for attachment
  rows and at the API host for embedded attachments, as in the examples.
"""

from __future__ import annotations

from sandbox.bc2.render_calendars import CalendarRendering
from sandbox.bc2.render_people import PeopleRendering
from sandbox.bc2.render_todos import TodoRendering
from sandbox.bc2.render_topics import TopicRendering


class Renderer(PeopleRendering, TopicRendering, TodoRendering, CalendarRendering):
    """Turns model rows into response dicts for one request (one index revision).

    Each base renders one subject; they share links, stubs and comments through
    ``RendererBase`` (``sandbox.bc2.render_base``).
    """
