"""Basecamp 2 response shapes: topics, and the messages, documents, forwards and uploads."""

from __future__ import annotations

import re

from sandbox.bc2.records import Attachment, Comment, Commentable, Document, Forward, Message, Upload
from sandbox.bc2.render_base import (
    JsonObj,
    RendererBase,
    record_bucket,
    topic_title,
    topic_updated_at,
)
from sandbox.bc2.time import format_timestamp


class TopicRendering(RendererBase):
    """Attachment rows, topics, and the members of messages, documents, forwards and uploads."""

    def attachment_row(self, attachment: Attachment) -> JsonObj:
        row: JsonObj = {"id": attachment.id}
        if attachment.linked_source is None:
            path = self._download_path(attachment)
            thumb_ext = "gif" if attachment.content_type == "image/gif" else "png"
            row.update({
                "key": attachment.key, "name": attachment.name,
                "byte_size": attachment.byte_size, "content_type": attachment.content_type,
                "created_at": format_timestamp(attachment.created_at),
                "updated_at": format_timestamp(attachment.updated_at),
                "url": f"{self.urls.asset_api}{path}",
                "app_url": f"{self.urls.asset_app}{path}",
                "thumbnail_url": (
                    f"{self.urls.asset_app}/projects/{attachment.project_id}/attachments/"
                    f"{attachment.id}/{attachment.key}/thumbnail.{thumb_ext}"
                ),
            })
        else:
            row.update({
                "name": attachment.name, "byte_size": attachment.byte_size,
                "content_type": attachment.content_type,
                "linked_source": attachment.linked_source, "linked_type": attachment.linked_type,
                "link_url": attachment.link_url,
                "created_at": format_timestamp(attachment.created_at),
                "updated_at": format_timestamp(attachment.updated_at),
            })
        owner = self.acct.lookup(attachment.attachable_type, attachment.attachable_id)
        if isinstance(owner, Comment):
            parent = self.acct.lookup(owner.parent_type, owner.parent_id)
            url, app_url = self.urls.pair(
                f"{self.record_path(parent)}" if parent else f"/projects/{attachment.project_id}"
            )
            attachable = {"id": owner.id, "type": "Comment", "url": url, "app_url": app_url}
        elif owner is not None:
            attachable = self.ref(owner)
        else:
            attachable = {"id": attachment.attachable_id, "type": attachment.attachable_type,
                          "url": None, "app_url": None}
        row.update({
            "private": attachment.private, "trashed": attachment.trashed,
            "tags": list(attachment.tags), "creator": self.creator(attachment.creator_id),
            "attachable": attachable,
        })
        return row

    def topic_row(self, record: Commentable, with_bucket: bool) -> JsonObj:
        comments = self.index.comments_of(record)
        last = comments[-1] if comments else None
        type_name = type(record).__name__
        count = len(self.index.attachments_of(type_name, record.id)) + sum(
            len(self.index.attachments_of("Comment", c.id)) for c in comments
        )
        if last is not None:
            excerpt, updater = last.content, last.creator_id
        else:
            excerpt = re.sub(r"<[^>]+>", " ", getattr(record, "content", "")).strip()
            updater = getattr(record, "last_updater_id", record.creator_id)
        title = topic_title(record)
        if isinstance(record, Upload):
            files = self.index.attachments_of("Upload", record.id)
            title = files[0].name if files else title
        row: JsonObj = {
            "id": record.topic_id, "title": title, "excerpt": excerpt[:100],
            "created_at": format_timestamp(record.created_at),
            "updated_at": format_timestamp(topic_updated_at(record, comments)),
            "attachments": count, "private": record.private, "trashed": record.trashed,
            "last_updater": self.stub(updater), "topicable": self.ref(record),
        }
        if with_bucket:
            row["bucket"] = self.bucket(*record_bucket(record))
        return row

    def message_member(self, message: Message) -> JsonObj:
        return {
            "id": message.id, "subject": message.subject,
            "created_at": format_timestamp(message.created_at),
            "updated_at": format_timestamp(message.updated_at),
            "content": message.content, "private": message.private, "trashed": message.trashed,
            "creator": self.creator(message.creator_id), "comments": self.comments(message),
            "subscribers": self.subscribers(message),
        }

    def document_row(self, document: Document, with_bucket: bool) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(document))
        row: JsonObj = {
            "id": document.id, "title": document.title,
            "created_at": format_timestamp(document.created_at),
            "updated_at": format_timestamp(document.updated_at),
            "url": url, "app_url": app_url,
            "private": document.private, "trashed": document.trashed,
        }
        if with_bucket:
            row["bucket"] = self.bucket("Project", document.project_id, "documents")
        return row

    def document_member(self, document: Document) -> JsonObj:
        return {
            "id": document.id, "title": document.title, "content": document.content,
            "created_at": format_timestamp(document.created_at),
            "updated_at": format_timestamp(document.updated_at),
            "private": document.private, "trashed": document.trashed,
            "last_updater": self.stub(document.last_updater_id),
            "creator": self.creator(document.creator_id),
            "comments": self.comments(document), "subscribers": self.subscribers(document),
        }

    def forward_row(self, forward: Forward, with_bucket: bool) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(forward))
        row: JsonObj = {
            "id": forward.id, "subject": forward.subject, "from": forward.sender,
            "created_at": format_timestamp(forward.created_at),
            "updated_at": format_timestamp(forward.updated_at),
            "private": forward.private, "trashed": forward.trashed,
            "url": url, "app_url": app_url,
        }
        if with_bucket:
            row["bucket"] = self.bucket("Project", forward.project_id)
        return row

    def forward_member(self, forward: Forward) -> JsonObj:
        return {
            "id": forward.id, "subject": forward.subject, "from": forward.sender,
            "created_at": format_timestamp(forward.created_at),
            "updated_at": format_timestamp(forward.updated_at),
            "private": forward.private, "trashed": forward.trashed,
            "content": forward.content, "content_html": forward.content_html,
            "creator": self.creator(forward.creator_id),
            "attachments": self.attachments_on("Forward", forward.id, app_url=False),
            "comments": self.comments(forward), "subscribers": self.subscribers(forward),
            "bucket": self.bucket("Project", forward.project_id, "forward"),
        }

    def upload_member(self, upload: Upload) -> JsonObj:
        return {
            "id": upload.id,
            "created_at": format_timestamp(upload.created_at),
            "updated_at": format_timestamp(upload.updated_at),
            "content": upload.content, "trashed": upload.trashed,
            "attachments": self.attachments_on("Upload", upload.id),
            "comments": self.comments(upload), "subscribers": self.subscribers(upload),
        }
