"""Basecamp 4 generator: the extras drawn after the base account.

After the base account, a second random source (derived from the seed) adds the "extras":
gauges, timesheets, webhooks, chatbots, Lineup markers, upload versions and boosts. Drawing
them from their own source keeps every base record (ids, times, titles) exactly as before.
Rules, for every project that is neither a template nor trashed (the showcase always gets one
of each):

- about half have a gauge (type ``Gauge``) with 2-4 needles (``Gauge::Needle``);
- about 40% have ``timesheet_enabled``, with 3-8 entries (the showcase 20, to page) on
  to-dos, cards, messages, documents, uploads, schedule entries or the project itself;
- each has 0-2 webhooks (the showcase 2, one with an id above 2**53);
- chatbots are account-wide (every campfire lists all of them); 1-2 are created from
  an enabled campfire 30% of the time;
- a third of the uploads were replaced once or twice (``blob_changed`` events), which bumps
  the upload's ``updated_at`` when needed;
- a fifth of the boostable recordings have 1-3 boosts.
"""

from __future__ import annotations

from datetime import timedelta

from sandbox.bc4 import words as words
from sandbox.bc4.data_base import BIG_ID, BuilderBase
from sandbox.bc4.model import (
    ACTIVE,
    BOOSTABLE_TYPES,
    TRASHED,
    Boost,
    Chatbot,
    LineupMarker,
    Project,
    Webhook,
)

TIMESHEET_PARENTS = ("Todo", "Kanban::Card", "Message", "Document", "Upload", "Schedule::Entry")
_KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class ExtrasBuilder(BuilderBase):
    """Gauges, timesheets, webhooks, chatbots, Lineup markers, upload versions and boosts."""

    def _make_extras(self) -> None:
        self._make_markers()
        showcase = next(iter(self.acct.projects))
        for project in list(self.acct.projects.values()):
            if project.template or project.status == TRASHED:
                continue
            first = project.id == showcase
            if first or self.rng.random() < 0.5:
                self._make_gauge(project)
            if first or self.rng.random() < 0.4:
                self._make_timesheet(project, 20 if first else self.rng.randint(3, 8))
            self._make_webhooks(project, 2 if first else self.rng.randint(0, 2))
            for tool in project.dock:
                if tool.name == "chat" and tool.enabled:
                    some = self.rng.randint(1, 2) if self.rng.random() < 0.3 else 0
                    self._make_chatbots(project, tool.id, 2 if first else some)
        self._make_versions(showcase)
        self._make_boosts()

    def _make_markers(self) -> None:
        names = self.rng.sample(words.MARKERS, k=self.rng.randint(3, len(words.MARKERS)))
        for name in names:
            created = self.moment()
            day = (created + timedelta(days=self.rng.randint(7, 120))).date().isoformat()
            self.acct.markers.append(
                LineupMarker(self.new_id(), name, day, created, self.touched(created)))
        self.acct.markers.sort(key=lambda m: (m.date, m.id))

    def _make_gauge(self, project: Project) -> None:
        gauge = self.record("Gauge", project, None, self.rng.choice(words.GAUGE_TITLES),
                            content=self.html(self.rng.choice(words.NEEDLE_NOTES)), enabled=True)
        project.gauge_id = gauge.id
        for _ in range(self.rng.randint(2, 4)):
            created = self.moment(gauge.created_at)
            note = self.html(self.rng.choice(words.NEEDLE_NOTES), rich=self.rng.random() < 0.3)
            needle = self.record("Gauge::Needle", project, gauge, "Moved the needle",
                                 created=created, content=note,
                                 position=self.rng.randint(0, 100),
                                 color=self.rng.choice(words.NEEDLE_COLORS))
            needle.updated_at = created
            gauge.updated_at = max(gauge.updated_at, created)
            self._comments(project, needle)

    def _make_timesheet(self, project: Project, count: int) -> None:
        project.timesheet_enabled = True
        parents = [r for r in self.acct.recordings.values() if r.bucket_id == project.id
                   and r.type in TIMESHEET_PARENTS and r.status == ACTIVE]
        for _ in range(count):
            parent = self.rng.choice(parents) if parents and self.rng.random() < 0.85 else None
            created = self.moment(parent.created_at if parent else project.created_at)
            hours = f"{self.rng.randint(1, 16) / 2:.1f}"
            self.record("Timesheet::Entry", project, parent, hours, created=created,
                        content=self.rng.choice(words.TIMESHEET_NOTES),
                        date=created.date().isoformat(), hours=hours,
                        person=self.rng.choice(project.people),
                        billable_status=self.rng.choice(["billable", "non_billable"]))

    def _make_webhooks(self, project: Project, count: int) -> None:
        hooks = []
        for index in range(count):
            created = self.moment(project.created_at)
            types = self.rng.sample(words.WEBHOOK_TYPES, k=self.rng.randint(1, 3))
            hooks.append(Webhook(
                self.new_id(big=project.clients_enabled and index == 0),
                project.id, f"https://hooks.example.com/basecamp/{project.id}/{index + 1}",
                types, self.rng.random() < 0.8, created, self.touched(created)))
        self.acct.webhooks[project.id] = hooks

    def _make_chatbots(self, project: Project, chat_id: int, count: int) -> None:
        for name in self.rng.sample(words.BOT_NAMES, k=count):
            created = self.moment(project.created_at)
            command = f"https://bots.example.com/{name.split()[0].lower()}"
            key = "".join(self.rng.choice(_KEY_CHARS) for _ in range(24))
            self.acct.chatbots.append(Chatbot(
                self.new_id(), project.id, chat_id, name,
                command if self.rng.random() < 0.5 else None, key, created,
                self.touched(created)))

    def _make_versions(self, showcase: int) -> None:
        """Replace some uploads' files: each version is an event carrying the file it stored."""
        forced = next((r.id for r in self.acct.recordings.values()
                       if r.type == "Upload" and r.bucket_id == showcase), None)
        for upload in [r for r in self.acct.recordings.values() if r.type == "Upload"]:
            history = self.acct.events[upload.id]
            changes = 2 if upload.id == forced else (
                self.rng.randint(1, 2) if self.rng.random() < 0.33 else 0)
            moments = sorted(self.moment(upload.created_at) for _ in range(changes))
            for when in moments:
                self._event(upload, "blob_changed", {}, when)
            versions = [e for e in history if e.action in ("created", "blob_changed")]
            for event in versions[:-1]:
                event.file = (upload.extra["filename"], self.rng.randint(1_000, 9_000_000))
            versions[-1].file = (upload.extra["filename"], upload.extra["byte_size"])
            if moments:
                upload.updated_at = max(upload.updated_at, moments[-1])

    def _make_boosts(self) -> None:
        for rec in list(self.acct.recordings.values()):
            if rec.type not in BOOSTABLE_TYPES:
                continue
            count = 3 if rec.id == BIG_ID else (
                self.rng.randint(1, 3) if self.rng.random() < 0.2 else 0)
            if not count:
                continue
            stamps = sorted(self.moment(rec.created_at) for _ in range(count))
            self.acct.boosts[rec.id] = [
                Boost(self.new_id(), rec.id, self.rng.choice(words.BOOSTS), when, self.person())
                for when in stamps]
