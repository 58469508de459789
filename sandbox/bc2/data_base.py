"""What every part of the Basecamp 2 generator shares: the random source, ids, the scope
being filled, and the comments, events and attachments any record can carry.

Draw order is the data: a helper that draws from ``rng`` must keep its draws exactly as they
are, or every account after it changes.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sandbox.bc2 import words as words
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.records import Attachment, Comment, Commentable, Event
from sandbox.bc2.sizes import SizeSpec
from sandbox.clock import REFERENCE_NOW

ACCOUNT_START = datetime(2012, 3, 22, 21, 56, 48, tzinfo=UTC)
FIRST_BIG_ID = 3_000_000_123


class Ids:
    """Unique 9-10 digit ids, plus a few above 2**31 so clients must store int64."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[int] = set()
        self._big = FIRST_BIG_ID

    def next(self) -> int:
        while True:
            value = self._rng.randrange(100_000_000, 2_100_000_000)
            if value not in self._used:
                self._used.add(value)
                return value

    def big(self) -> int:
        value = self._big
        self._big += 1
        return value


@dataclass
class Scope:
    """Where content is being generated: a project or a standalone calendar."""

    bucket_type: str
    bucket_id: int
    project_id: int
    start: datetime
    end: datetime
    members: list[int]
    staff: list[int]
    with_events: bool
    showcase: bool = False
    latest: datetime = field(default=ACCOUNT_START)


class GeneratorBase:
    """Generator state (random source, ids, clock, account) and the shared record helpers."""

    def __init__(self, spec: SizeSpec, seed: int, account_id: int) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.now = REFERENCE_NOW
        self.acct = Bc2Account(account_id, "Sandbox Co.", REFERENCE_NOW)
        self._project_names: set[str] = set()

    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def _when(self, scope: Scope, after: datetime | None = None) -> datetime:
        start = max(scope.start, after) if after else scope.start
        moment = self._between(start, max(start, scope.end))
        scope.latest = max(scope.latest, moment)
        return moment

    def _edited(self, scope: Scope, created: datetime) -> datetime:
        """An ``updated_at``: often equal to creation, sometimes a later edit."""
        if self.rng.random() < 0.5:
            return created
        return self._when(scope, created)

    def _count(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def _phrase(self) -> str:
        return f"{self.rng.choice(words.VERBS)} the {self.rng.choice(words.NOUNS)}"

    def _sentence(self) -> str:
        return self.rng.choice(words.SENTENCES)

    def _private(self) -> bool:
        return self.rng.random() < 0.1

    def _subscribers(
        self, scope: Scope, creator: int, comments: list[Comment]
    ) -> tuple[int, ...]:
        chosen = [creator, *(c.creator_id for c in comments)]
        chosen += self.rng.sample(scope.staff, min(2, len(scope.staff)))
        return tuple(dict.fromkeys(chosen))

    def _event(
        self,
        scope: Scope,
        creator: int,
        at: datetime,
        action: str,
        target: str,
        eventable: Commentable,
        comment: Comment | None = None,
        big_id: bool = False,
    ) -> None:
        if not scope.with_events:
            return
        updated = at + timedelta(minutes=5) if self.rng.random() < 0.05 else at
        self.acct.events.add(
            Event(
                id=self.ids.big() if big_id else self.ids.next(),
                bucket_type=scope.bucket_type,
                bucket_id=scope.bucket_id,
                creator_id=creator,
                created_at=at,
                updated_at=min(updated, self.now),
                action=action,
                target=target,
                eventable_type=type(eventable).__name__,
                eventable_id=eventable.id,
                comment_id=comment.id if comment else None,
                private=eventable.private,
            )
        )

    def _comments(
        self, scope: Scope, parent: Commentable, title: str, count: int, big_first: bool = False
    ) -> list[Comment]:
        made: list[Comment] = []
        after = parent.created_at
        for n in range(count):
            created = self._when(scope, after)
            after = created
            comment = self.acct.comments.add(
                Comment(
                    id=self.ids.big() if big_first and n == 0 else self.ids.next(),
                    parent_type=type(parent).__name__,
                    parent_id=parent.id,
                    content=self.rng.choice(words.COMMENTS),
                    creator_id=self.rng.choice(scope.members),
                    created_at=created,
                    updated_at=self._edited(scope, created),
                    private=parent.private,
                )
            )
            if scope.bucket_type == "Project" and self.rng.random() < 0.15:
                self._attachment(scope, "Comment", comment.id, comment.creator_id, created)
            self._event(scope, comment.creator_id, created, "commented on", title, parent, comment)
            made.append(comment)
        return made

    def _maybe_comments(
        self, scope: Scope, parent: Commentable, title: str, chance: float
    ) -> list[Comment]:
        if self.rng.random() >= chance:
            return []
        return self._comments(scope, parent, title, self._count(self.spec.comments))

    def _attachment(
        self,
        scope: Scope,
        owner_type: str,
        owner_id: int,
        creator: int,
        at: datetime,
        linked: bool = False,
        tags: tuple[str, ...] | None = None,
    ) -> Attachment:
        attachment_id = self.ids.next()
        if tags is None:
            tags = tuple(self.rng.sample(words.TAGS, self.rng.randint(1, 2))) if (
                self.rng.random() < 0.3
            ) else ()
        if linked:
            return self.acct.attachments.add(
                Attachment(
                    id=attachment_id, project_id=scope.project_id, key=None,
                    name="Business ponderings", byte_size=0,
                    content_type="application/vnd.google-apps.document",
                    creator_id=creator, created_at=at, updated_at=at,
                    attachable_type=owner_type, attachable_id=owner_id, tags=tags,
                    linked_source="google", linked_type="document",
                    link_url=f"https://docs.google.com/document/d/{attachment_id:x}sandbox",
                )
            )
        name, content_type = self.rng.choice(words.FILES)
        return self.acct.attachments.add(
            Attachment(
                id=attachment_id, project_id=scope.project_id,
                key=hashlib.sha1(f"attachment-{attachment_id}".encode()).hexdigest(),
                name=name, byte_size=self.rng.randint(2_000, 600_000), content_type=content_type,
                creator_id=creator, created_at=at, updated_at=at,
                attachable_type=owner_type, attachable_id=owner_id, tags=tags,
            )
        )
