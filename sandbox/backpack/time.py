"""Timestamp forms of the Backpack fake, around the shared reference "now" (``sandbox.clock``).

The two dialects disagree and the fake keeps both (reference §9):

- ws attributes and reminders' ``remind_at`` carry ``YYYY-MM-DD HH:MM:SS`` with no zone. The
  docs don't say which zone; here they are wall-clock times in the account's zone, which
  ``me.xml`` names as the Rails zone ``Eastern Time (US & Canada)`` (US Eastern with daylight
  saving), so a client must attach that zone itself.
- REST typed elements are ISO 8601 UTC with ``Z`` (``2006-09-27T20:32:15Z``), as Rails'
  ``to_xml`` writes them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.clock import to_local

TIME_ZONE_NAME = "Eastern Time (US & Canada)"

__all__ = ["TIME_ZONE_NAME", "rest_time", "ws_time"]


def ws_time(moment: datetime) -> str:
    """Naive wall-clock time in the account's zone (ws attributes, reminders)."""
    return to_local(moment).strftime("%Y-%m-%d %H:%M:%S")


def rest_time(moment: datetime | None) -> str:
    """ISO 8601 UTC with ``Z``; empty text for a missing value (``<reminded-at ...></...>``)."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
