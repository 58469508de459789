"""Basecamp 2 generator: what a project holds (to-dos, messages, documents, forwards, uploads
and calendar events), with the showcase project's guaranteed rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sandbox.bc2 import words as words
from sandbox.bc2.data_base import GeneratorBase, Scope
from sandbox.bc2.records import (
    CalendarEvent,
    Comment,
    Document,
    Forward,
    Message,
    Recurring,
    Todo,
    Todolist,
    Upload,
)
from sandbox.bc2.time import local_day
from sandbox.clock import eastern_offset


class ContentGenerator(GeneratorBase):
    """Fills one scope (a project, or a standalone calendar's events) with content."""

    def _project_content(self, scope: Scope, light: bool) -> None:
        self._todolists(scope, light)
        self._documents(scope, 1 if light else self._count(self.spec.documents))
        if light:
            return
        self._messages(scope)
        self._forwards(scope)
        self._uploads(scope)
        self._calendar_events(scope, archived=scope.end < self.now - timedelta(days=60))

    def _todolists(self, scope: Scope, light: bool) -> None:
        if scope.showcase:
            kinds = ["long", "completed", "trashed", "normal"]
        elif light:
            kinds = ["normal"]
        else:
            kinds = [
                self.rng.choices(("normal", "completed", "trashed"), (88, 8, 4))[0]
                for _ in range(self._count(self.spec.todolists))
            ]
        for position, kind in enumerate(kinds, start=1):
            created = self._when(scope)
            todolist = self.acct.todolists.add(
                Todolist(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    name=self.rng.choice(words.LIST_NAMES),
                    description=self._sentence() if self.rng.random() < 0.7 else "",
                    position=position, creator_id=self.rng.choice(scope.staff),
                    created_at=created, updated_at=created, private=self._private(),
                    trashed=kind == "trashed",
                )
            )
            self._event(scope, todolist.creator_id, created, "created a to-do list<span>:</span>",
                        todolist.name, todolist)
            if kind == "long":
                count = self.spec.showcase_todos
            elif light or kind != "normal":
                count = 2
            else:
                count = self._count(self.spec.todos)
            latest = created
            for n in range(count):
                todo = self._todo(scope, todolist, n, count, kind)
                latest = max(latest, todo.updated_at)
            comments = self._maybe_comments(scope, todolist, todolist.name, 0.25)
            todolist.subscriber_ids = self._subscribers(scope, todolist.creator_id, comments)
            todolist.updated_at = latest

    def _todo(self, scope: Scope, todolist: Todolist, n: int, count: int, kind: str) -> Todo:
        rng = self.rng
        created = self._when(scope, todolist.created_at)
        big = kind == "long" and n == 0
        done = kind == "completed" or rng.random() < 0.35
        trashed = kind != "long" and rng.random() < 0.04
        if kind == "long" and n >= count - 2:
            done, trashed = n == count - 1, True
        due = None
        if rng.random() < 0.4:
            due = local_day(created) + timedelta(days=rng.randint(1, 60))
        todo = self.acct.todos.add(
            Todo(
                id=self.ids.big() if big else self.ids.next(), topic_id=self.ids.next(),
                project_id=scope.project_id, todolist_id=todolist.id, content=self._phrase(),
                position=n + 1, due_at=due,
                assignee_id=rng.choice(scope.staff) if rng.random() < 0.6 else None,
                creator_id=rng.choice(scope.staff), created_at=created, updated_at=created,
                private=todolist.private, trashed=trashed,
            )
        )
        self._event(scope, todo.creator_id, created, "created a to-do<span>:</span>",
                    todo.content, todo, big_id=big)
        if todo.assignee_id is not None and rng.random() < 0.3:
            name = self.acct.people[todo.assignee_id].name
            self._event(scope, todo.creator_id, self._when(scope, created),
                        f"re-assigned a to-do to {name}<span>:</span>", todo.content, todo)
        if done:
            todo.completed_at = self._when(scope, created)
            todo.completer_id = rng.choice(scope.staff)
            todo.updated_at = todo.completed_at
            self._event(scope, todo.completer_id, todo.completed_at,
                        "completed a to-do<span>:</span>", todo.content, todo)
        comments: list[Comment] = []
        if big:
            comments = self._comments(scope, todo, todo.content, 2, big_first=True)
        elif rng.random() < 0.2:
            comments = self._comments(scope, todo, todo.content, self._count(self.spec.comments))
        if rng.random() < 0.08 or big:
            self._attachment(scope, "Todo", todo.id, todo.creator_id, created)
        todo.subscriber_ids = self._subscribers(scope, todo.creator_id, comments)
        return todo

    def _messages(self, scope: Scope) -> None:
        count = max(3, self._count(self.spec.messages)) if scope.showcase else self._count(
            self.spec.messages
        )
        for n in range(count):
            created = self._when(scope)
            message = self.acct.messages.add(
                Message(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    subject=self.rng.choice(words.MESSAGE_SUBJECTS),
                    content=f"<div>{self._sentence()}</div><div>{self._sentence()}</div>",
                    creator_id=self.rng.choice(scope.members), created_at=created,
                    updated_at=self._edited(scope, created), private=self._private(),
                    topic_archived=(scope.showcase and n == count - 1) or self.rng.random() < 0.1,
                )
            )
            self._event(scope, message.creator_id, created, "posted a message<span>:</span>",
                        message.subject, message)
            comments = self._maybe_comments(scope, message, message.subject, 0.7)
            message.subscriber_ids = self._subscribers(scope, message.creator_id, comments)
            if scope.showcase and n == 0:
                self._attachment(scope, "Message", message.id, message.creator_id, created,
                                 linked=True, tags=("writing",))
            elif self.rng.random() < 0.2:
                self._attachment(scope, "Message", message.id, message.creator_id, created)

    def _documents(self, scope: Scope, count: int) -> None:
        for _ in range(count):
            created = self._when(scope)
            document = self.acct.documents.add(
                Document(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    title=self.rng.choice(words.DOCUMENT_TITLES),
                    content="<br>".join(self._sentence() for _ in range(3)),
                    creator_id=self.rng.choice(scope.staff),
                    last_updater_id=self.rng.choice(scope.staff), created_at=created,
                    updated_at=self._edited(scope, created), private=self._private(),
                )
            )
            self._event(scope, document.creator_id, created,
                        "created a document<span>:</span>", document.title, document)
            comments = self._maybe_comments(scope, document, document.title, 0.4)
            document.subscriber_ids = self._subscribers(scope, document.creator_id, comments)

    def _forwards(self, scope: Scope) -> None:
        count = max(2, self._count(self.spec.forwards)) if scope.showcase else self._count(
            self.spec.forwards
        )
        for n in range(count):
            created = self._when(scope)
            body = self._sentence()
            sender = None if n == 0 or self.rng.random() < 0.3 else self.rng.choice(
                words.FORWARD_SENDERS
            )
            forward = self.acct.forwards.add(
                Forward(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    subject=self.rng.choice(words.FORWARD_SUBJECTS), sender=sender,
                    content=body,
                    content_html=(
                        f"<html><body><h1>{_escape(body)}</h1><p><a href=\"https://basecamp.com\">"
                        "Check out Basecamp!</a></p></body></html>"
                    ),
                    creator_id=self.rng.choice(scope.staff), created_at=created,
                    updated_at=self._edited(scope, created), private=self._private(),
                )
            )
            self._event(scope, forward.creator_id, created, "forwarded an email<span>:</span>",
                        forward.subject, forward)
            for _ in range(1 if scope.showcase and n == 1 else self.rng.randint(0, 2)):
                self._attachment(scope, "Forward", forward.id, forward.creator_id, created,
                                 tags=())
            comments = self._maybe_comments(scope, forward, forward.subject, 0.3)
            forward.subscriber_ids = self._subscribers(scope, forward.creator_id, comments)

    def _uploads(self, scope: Scope) -> None:
        def listed() -> int:
            return sum(
                1 for a in self.acct.attachments.values()
                if a.project_id == scope.project_id and a.attachable_type != "Forward"
            )

        count = self._count(self.spec.uploads)
        made = 0
        while made < count or (scope.showcase and listed() < self.spec.showcase_attachments):
            created = self._when(scope)
            upload = self.acct.uploads.add(
                Upload(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    content=self._sentence(), creator_id=self.rng.choice(scope.members),
                    created_at=created, updated_at=self._edited(scope, created),
                    private=self._private(),
                )
            )
            files = 4 if scope.showcase else self._count(self.spec.files_per_upload)
            names = [
                self._attachment(scope, "Upload", upload.id, upload.creator_id, created).name
                for _ in range(files)
            ]
            self._event(scope, upload.creator_id, created, "uploaded a file<span>:</span>",
                        names[0], upload)
            comments = self._maybe_comments(scope, upload, names[0], 0.3)
            upload.subscriber_ids = self._subscribers(scope, upload.creator_id, comments)
            made += 1

    def _calendar_events(self, scope: Scope, archived: bool) -> None:
        plans: list[tuple[str, Recurring | None]] = []
        if scope.showcase:
            plans = [("past-timed", None), ("past-day", None), ("soon-timed", None),
                     ("soon-day", None),
                     ("recurring", Recurring("weekly", count=8, excluding=(2, 3))),
                     ("recurring", Recurring("monthly", until=date(2027, 6, 1)))]
        for _ in range(self._count(self.spec.calendar_events)):
            upcoming = not archived and self.rng.random() < 0.5
            kind = ("soon" if upcoming else "past") + self.rng.choice(("-timed", "-day"))
            plans.append((kind, None))
        for kind, rule in plans:
            self._calendar_event(scope, kind, rule)

    def _calendar_event(self, scope: Scope, kind: str, rule: Recurring | None) -> None:
        rng = self.rng
        if rule is not None:
            first = local_day(self.now) - timedelta(days=14 if rule.frequency == "weekly" else 45)
            all_day = rule.frequency != "monthly"
            created = self._when(scope)
        elif kind.startswith("past"):
            created = self._when(scope)
            first = local_day(self._between(created, min(scope.end, self.now)))
            all_day = kind.endswith("day")
        else:
            created = self._when(scope)
            first = local_day(self.now) + timedelta(days=rng.randint(1, 30))
            all_day = kind.endswith("day")
        if all_day:
            starts: date | datetime = first
            ends: date | datetime = first + timedelta(days=rng.choice((0, 0, 1, 2)))
        else:
            local_start = datetime.combine(first, time(rng.randint(8, 17)))
            offset = eastern_offset(datetime.combine(first, time(12), tzinfo=UTC))
            starts = (local_start - offset).replace(tzinfo=UTC)
            ends = starts + timedelta(minutes=rng.choice((30, 60, 90, 120)))
        event = self.acct.calendar_events.add(
            CalendarEvent(
                id=self.ids.next(), topic_id=self.ids.next(), bucket_type=scope.bucket_type,
                bucket_id=scope.bucket_id, summary=rng.choice(words.EVENT_SUMMARIES),
                description=self._sentence() if rng.random() < 0.6 else "", all_day=all_day,
                starts_at=starts, ends_at=ends, recurring=rule,
                creator_id=rng.choice(scope.staff), created_at=created,
                updated_at=self._edited(scope, created), private=self._private(),
            )
        )
        self._event(scope, event.creator_id, created, "added an event<span>:</span>",
                    event.summary, event)
        chance = 1.0 if scope.showcase and kind == "past-timed" else 0.3
        comments = self._maybe_comments(scope, event, event.summary, chance)
        event.subscriber_ids = self._subscribers(scope, event.creator_id, comments)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
