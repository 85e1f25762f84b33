"""Conversations and their messages. Metadata is JSON; the two keys the portal filters on
most (assistant and version) are copied into indexed columns for large benchmark tables."""

from django.db import models


class SbConversation(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict)
    assistant_id = models.CharField(max_length=64, blank=True, db_index=True)
    assistant_version_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    last_message_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The portal lists an assistant's (or version's) latest conversations.
        indexes = [
            models.Index(fields=["assistant_id", "-created_at"], name="sb_conv_assistant_recent"),
            models.Index(fields=["assistant_version_id", "-created_at"], name="sb_conv_version_recent"),
        ]

    def set_metadata(self, metadata: dict) -> None:
        self.metadata = metadata
        self.assistant_id = str(metadata.get("assistant_id", ""))
        self.assistant_version_id = str(metadata.get("assistant_version_id", ""))


class SbMessage(models.Model):
    conversation = models.ForeignKey(SbConversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    tool_calls = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
