"""Time zones and stamps: Rails zone names (what Backpack's ``time-zone-id`` holds) to IANA
zones, and ISO 8601 stamps read as aware datetimes.

Backpack's ws timestamps carry no zone; they are in the account's zone, which ``me.xml`` names
the Rails way. The table covers the names Rails offers for the Americas, Europe, Africa,
Asia and Oceania that most accounts use; anything else needs ``--timezone``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from transforms.errors import ConfigError

RAILS_ZONES = {
    "Hawaii": "Pacific/Honolulu", "Alaska": "America/Juneau",
    "Pacific Time (US & Canada)": "America/Los_Angeles", "Arizona": "America/Phoenix",
    "Mountain Time (US & Canada)": "America/Denver",
    "Central Time (US & Canada)": "America/Chicago",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Atlantic Time (Canada)": "America/Halifax", "Newfoundland": "America/St_Johns",
    "Mexico City": "America/Mexico_City", "Bogota": "America/Bogota", "Lima": "America/Lima",
    "Santiago": "America/Santiago", "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Brasilia": "America/Sao_Paulo", "UTC": "UTC", "London": "Europe/London",
    "Edinburgh": "Europe/London", "Dublin": "Europe/Dublin", "Lisbon": "Europe/Lisbon",
    "Amsterdam": "Europe/Amsterdam", "Berlin": "Europe/Berlin", "Bern": "Europe/Zurich",
    "Brussels": "Europe/Brussels", "Copenhagen": "Europe/Copenhagen", "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris", "Prague": "Europe/Prague", "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm", "Vienna": "Europe/Vienna", "Warsaw": "Europe/Warsaw",
    "Zurich": "Europe/Zurich", "Athens": "Europe/Athens", "Helsinki": "Europe/Helsinki",
    "Istanbul": "Europe/Istanbul", "Kyiv": "Europe/Kiev", "Moscow": "Europe/Moscow",
    "Cairo": "Africa/Cairo", "Johannesburg": "Africa/Johannesburg", "Nairobi": "Africa/Nairobi",
    "Jerusalem": "Asia/Jerusalem", "Dubai": "Asia/Dubai", "Abu Dhabi": "Asia/Dubai",
    "Karachi": "Asia/Karachi", "Mumbai": "Asia/Kolkata", "New Delhi": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata", "Bangkok": "Asia/Bangkok", "Jakarta": "Asia/Jakarta",
    "Singapore": "Asia/Singapore", "Hong Kong": "Asia/Hong_Kong", "Beijing": "Asia/Shanghai",
    "Taipei": "Asia/Taipei", "Seoul": "Asia/Seoul", "Tokyo": "Asia/Tokyo", "Osaka": "Asia/Tokyo",
    "Perth": "Australia/Perth", "Adelaide": "Australia/Adelaide",
    "Brisbane": "Australia/Brisbane", "Sydney": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne", "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
}


def zone_named(name: str) -> ZoneInfo:
    """An IANA name, or a Rails name from the table above."""
    try:
        return ZoneInfo(RAILS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r}: pass an IANA name such as "
                          "America/New_York with --timezone") from None


def known(name: str | None) -> bool:
    return bool(name) and (name in RAILS_ZONES or _is_iana(name))


def _is_iana(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_stamp(value: Any) -> datetime | None:
    """An ISO 8601 stamp as an aware datetime (UTC when it names no zone); None otherwise."""
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
