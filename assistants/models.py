from django.conf import settings
from django.db import models

from core.models import TelnyxCached


class Assistant(TelnyxCached):
    """Cached copy of one Telnyx AI assistant (its main version), for the changelist.

    `payload` holds the whole API object; the other columns are what the changelist
    searches, filters and sorts on.
    """

    name = models.CharField(max_length=300, db_index=True)
    model = models.CharField(max_length=200, blank=True, db_index=True)
    description = models.TextField(blank=True)
    instructions = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    # "|sales|support|": lets every database filter by one tag with a plain LIKE.
    tags_index = models.CharField(max_length=1000, blank=True, db_index=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the main version was saved, i.e. when the assistant was last updated.
    updated_at = models.DateTimeField(null=True, blank=True, db_index=True)
    version_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CanaryConfig(models.Model):
    """One canary deploy configuration as it was saved, deleted or restored through the portal.

    Telnyx keeps only the current rules; this is the split history an admin can restore from.
    """

    class Kind(models.TextChoices):
        SAVED = "saved", "Saved"
        DELETED = "deleted", "Deleted"
        RESTORED = "restored", "Restored"

    assistant_id = models.CharField(max_length=200, db_index=True)
    # For "deleted", the rules that were in force until the deletion.
    rules = models.JSONField(default=list)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    saved_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.assistant_id} {self.kind} {self.saved_at:%Y-%m-%d %H:%M}"

class CanaryDeployCache(TelnyxCached):
    """What Telnyx last said of one assistant's canary deploy (`telnyx_id` is the assistant id):
    `exists` False when it has none; `payload` is its answer. Written by every read and write
    of the canary and by the "canary_deploys" sync, so the dashboard and overview can say what
    Telnyx has without a call per assistant per view."""

    exists = models.BooleanField(default=False)
    # When a page last showed this canary: the sync then reads it at every sweep (`canaries_sync`).
    watched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"canary of {self.telnyx_id}"


class AssistantVersion(models.Model):
    """Cached copy of one saved version of an assistant (the Versions tab lists these).

    `telnyx_id` is "<assistant id>:<version id>" so the cache key stays unique even if
    Telnyx only makes version ids unique per assistant. Synced per assistant (scoped replace).
    """

    telnyx_id = models.CharField(max_length=420, unique=True)
    assistant_id = models.CharField(max_length=200, db_index=True)
    version_id = models.CharField(max_length=200)
    name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_main = models.BooleanField(default=False)
    payload = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name or self.version_id


class PromotionRecord(models.Model):
    """Which version was main before a promote, save or rollback: what "Roll back" returns to."""

    class Kind(models.TextChoices):
        PROMOTE = "promote", "Promote"
        SAVE = "save", "Save"
        ROLLBACK = "rollback", "Roll back"

    assistant_id = models.CharField(max_length=200, db_index=True)
    from_version_id = models.CharField(max_length=200)
    to_version_id = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.assistant_id}: {self.from_version_id} → {self.to_version_id}"


class ScheduledEvent(TelnyxCached):
    """Cached copy of one call or SMS chat an assistant will make (the Scheduled tab lists these).

    `telnyx_id` is "<assistant id>:<event id>", like versions: synced per assistant (scoped
    replace), and an event is only ever read through its assistant.
    """

    telnyx_id = models.CharField(max_length=420, unique=True)
    assistant_id = models.CharField(max_length=200, db_index=True)
    event_id = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, db_index=True)
    status = models.CharField(max_length=20, blank=True, db_index=True)
    scheduled_at = models.DateTimeField(null=True, blank=True, db_index=True)
    agent_target = models.CharField(max_length=200, blank=True)
    end_user_target = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["assistant_id", "scheduled_at"], name="scheduled_by_assistant_time")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.end_user_target} at {self.scheduled_at}"


class KnownTag(models.Model):
    """A tag Telnyx lists as in use (`GET /ai/assistants/tags`), replaced by every assistants
    sync: the tag filter and the tag editor offer these with the tags of cached assistants."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
