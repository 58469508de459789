"""Keeping secrets out of log output, whatever a library decides to log.

We never log headers or bodies ourselves; this filter is the second line of defence for
third-party debug logging: any registered secret in a log record is replaced before it is written.
"""

from __future__ import annotations

import logging
import threading

MASK = "***"


class RedactingFilter(logging.Filter):
    """Replaces every registered secret in a record's final message."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *secrets: str | None) -> None:
        with self._lock:
            self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            record.msg = self.scrub(record.getMessage())
            record.args = None
        return True


REDACTOR = RedactingFilter()
