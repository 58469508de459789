"""Basecamp 4 JSON shapes: gauges, timesheets, boosts, upload versions, subscriptions, and the
resources that are not recordings (projects, webhooks, chatbots, markers, dock, events)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from sandbox.bc4.model import (
    ACTIVE,
    TOOL_TYPES,
    Boost,
    Chatbot,
    Event,
    LineupMarker,
    Project,
    Recording,
    Webhook,
)
from sandbox.bc4.render_base import (
    SEGMENTS,
    STORAGE_ORIGIN,
    RendererBase,
    insert_after,
    sgid,
    stamp,
)


class ResourceRendering(RendererBase):
    """Gauges, timesheet entries and the non-recording resources around recordings."""

    def needles(self, gauge: Recording) -> list[Recording]:
        """A gauge's active needles, newest first (the order of its needles listing)."""
        found = [n for n in self.acct.kids(gauge.id, "Gauge::Needle") if n.status == ACTIVE]
        return sorted(found, key=lambda n: (n.created_at, n.id), reverse=True)

    def _gauge(self, rec: Recording) -> dict[str, Any]:
        """Needle-less gauges omit the attachments and needle keys, as openapi describes."""
        data = self.head(rec, parent=False)
        needles = self.needles(rec)
        data["description"] = self.content(rec)
        if needles:
            data["description_attachments"] = self.attachments(rec)
        data["enabled"] = rec.extra["enabled"]
        if needles:
            data["last_needle_color"] = needles[0].extra["color"]
            data["last_needle_position"] = needles[0].position
        if len(needles) > 1:
            data["previous_needle_position"] = needles[1].position
        return data

    def _gauge_needle(self, rec: Recording) -> dict[str, Any]:
        data = self.head(rec)
        insert_after(data, "bookmark_url", self._comments(rec))
        desc = self._rich(rec, "description")
        data.update({"description": desc["description"],
                     "description_attachments": desc["description_attachments"],
                     "color": rec.extra["color"], "position": rec.position})
        return data

    def _timesheet_entry(self, rec: Recording) -> dict[str, Any]:
        """The full entry (``timesheet/get.json``) plus the report's ``billable_status``."""
        data = self.head(rec)
        data.update({"date": rec.extra["date"], "description": rec.content,
                     "hours": rec.extra["hours"],
                     "billable_status": rec.extra["billable_status"],
                     "person": self.person(rec.extra["person"])})
        return data

    def boost(self, boost: Boost) -> dict[str, Any]:
        rec = self.acct.recordings[boost.recording_id]
        return {"id": boost.id, "content": boost.content,
                "created_at": self._ts(boost.created_at, rec.bucket_id),
                "booster": self.person(boost.booster_id), "recording": self.ref(rec)}

    def upload_version(self, event: Event, upload: Recording, current: bool) -> dict[str, Any]:
        """One version event of an upload with the file it recorded."""
        assert event.file is not None
        filename, size = event.file
        rest = f"uploads/{upload.id}/versions/{event.id}/download/{filename}"
        return {
            "id": event.id, "recording_id": upload.id, "action": event.action,
            "details": event.details,
            "created_at": self._ts(event.created_at, upload.bucket_id),
            "creator": self.person(event.creator_id), "boosts_count": 0,
            "boosts_url": self.recording_url(upload, f"events/{event.id}/boosts.json"),
            "upload": {"content_type": "image/png", "byte_size": size, "filename": filename,
                       "download_url": self.bucket_url(upload.bucket_id, rest),
                       "app_download_url": f"{STORAGE_ORIGIN}/{self.acct.account_id}/buckets/"
                                           f"{upload.bucket_id}/{rest}",
                       "current": current},
        }

    def subscription(self, rec: Recording) -> dict[str, Any]:
        """Subscribers: the creator, then assignees and participants (people only)."""
        ids: list[int | str] = []
        for pid in [rec.creator_id, *rec.extra.get("assignees", ()),
                    *rec.extra.get("participants", ())]:
            if pid not in ids and not self.acct.people[pid].system:
                ids.append(pid)
        owner = next(p.id for p in self.acct.people.values() if p.owner)
        return {"subscribed": owner in ids, "count": len(ids),
                "url": self.recording_url(rec, "subscription.json"),
                "subscribers": [self.person(pid) for pid in ids]}

    def project(self, project: Project) -> dict[str, Any]:
        offset = project.id % 2 == 0
        data: dict[str, Any] = {
            "id": project.id, "status": project.status,
            "created_at": stamp(project.created_at, offset),
            "updated_at": stamp(project.updated_at, offset), "name": project.name,
            "description": project.description,
        }
        if project.template:
            data["url"] = f"{self.api}/templates/{project.id}.json"
            data["app_url"] = f"{self.app}/templates/{project.id}"
            return data
        data.update({
            "purpose": project.purpose, "start_date": project.start_date,
            "end_date": project.end_date, "clients_enabled": project.clients_enabled,
            "bookmark_url": f"{self.api}/my/bookmarks/{sgid('Bucket', project.id)}.json",
            "url": f"{self.api}/projects/{project.id}.json",
            "app_url": f"{self.app}/projects/{project.id}",
            "dock": [self.dock_item(project, tool.id) for tool in project.dock],
            "bookmarked": project.id % 3 == 0,
        })
        if project.clients_enabled:
            data["client_company"] = {"id": 1_033_447_818, "name": "Leto Brand"}
            data["clientside"] = {"url": self.bucket_url(project.id, "client/board.json"),
                                  "app_url": f"{self.app}/buckets/{project.id}/client/board"}
        return data

    def webhook(self, hook: Webhook, deliveries: bool = False) -> dict[str, Any]:
        """The list shape; the member (``deliveries``) adds an empty ``recent_deliveries``."""
        data: dict[str, Any] = {
            "id": hook.id, "active": hook.active,
            "created_at": self._ts(hook.created_at, hook.bucket_id),
            "updated_at": self._ts(hook.updated_at, hook.bucket_id),
            "payload_url": hook.payload_url, "types": list(hook.types),
            "url": self.bucket_url(hook.bucket_id, f"webhooks/{hook.id}.json"),
            "app_url": f"{self.app}/buckets/{hook.bucket_id}/webhooks/{hook.id}",
        }
        if deliveries:
            data["recent_deliveries"] = []
        return data

    def chatbot(self, bot: Chatbot, bucket_id: int, chat_id: int) -> dict[str, Any]:
        """The admin view (the sandbox token is the account owner) as seen from one campfire.

        Chatbots are account-wide, but ``url`` and the keyed ``lines_url`` (a posting
        credential) belong to the campfire they are asked through.
        """
        rest = f"chats/{chat_id}/integrations/{bot.id}"
        key = base64.urlsafe_b64encode(
            hashlib.sha256(f"{bot.key}:{chat_id}".encode()).digest()).decode()[:24]
        return {
            "id": bot.id, "created_at": self._ts(bot.created_at, bot.bucket_id),
            "updated_at": self._ts(bot.updated_at, bot.bucket_id),
            "service_name": bot.service_name, "command_url": bot.command_url,
            "url": self.bucket_url(bucket_id, rest + ".json"),
            "app_url": f"{self.app}/buckets/{bucket_id}/{rest}",
            "lines_url": f"{self.api}/integrations/{key}/buckets/{bucket_id}/chats/"
                         f"{chat_id}/lines",
        }

    def marker(self, marker: LineupMarker) -> dict[str, Any]:
        return {"id": marker.id, "name": marker.name, "date": marker.date,
                "created_at": stamp(marker.created_at), "updated_at": stamp(marker.updated_at)}

    def dock_item(self, project: Project, tool_id: int) -> dict[str, Any]:
        tool = next(t for t in project.dock if t.id == tool_id)
        segment = SEGMENTS[TOOL_TYPES[tool.name]]
        return {"id": tool.id, "title": tool.title, "name": tool.name, "enabled": tool.enabled,
                "position": tool.position,
                "url": self.bucket_url(project.id, f"{segment}/{tool.id}.json"),
                "app_url": f"{self.app}/buckets/{project.id}/{segment}/{tool.id}"}

    def event(self, event: Event, bucket_id: int) -> dict[str, Any]:
        return {"id": event.id, "recording_id": event.recording_id, "action": event.action,
                "details": event.details, "created_at": self._ts(event.created_at, bucket_id),
                "creator": self.person(event.creator_id)}
