from django.db import models

from core.models import TelnyxCached


class Conversation(TelnyxCached):
    """Cached conversation (`GET /ai/conversations`), with the metadata the changelist uses.

    `payload` holds the API object; the assistant, version and channel come from its
    metadata, so the changelist can filter a 100,000-row cache on indexed columns.
    """

    name = models.CharField(max_length=300, blank=True)
    assistant_id = models.CharField(max_length=200, blank=True, db_index=True)
    assistant_version_id = models.CharField(max_length=200, blank=True, db_index=True)
    channel = models.CharField(max_length=50, blank=True, db_index=True)
    ai_disabled = models.BooleanField(default=False)
    # The call log's columns, from the metadata at sync time (core.traffic decides `is_test`).
    caller = models.CharField(max_length=100, blank=True, db_index=True)  # telnyx_end_user_target
    callee = models.CharField(max_length=100, blank=True)  # telnyx_agent_target
    is_test = models.BooleanField(default=False)
    end_reason = models.CharField(max_length=100, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)  # first to last message
    # Read from the transcript once the portal has read it (its page, or the indexer on the worker):
    # null until then. The list object (SDK `types/ai/conversation.py`: id, name, created_at,
    # last_message_at, metadata of strings) carries no message count, timings or tool results.
    turns = models.PositiveIntegerField(null=True, blank=True)  # messages
    # Mean time from a caller's message to the reply after it (ms); null with no reply timed.
    response_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    tool_calls = models.PositiveIntegerField(null=True, blank=True)  # tool calls the assistant made
    tool_failures = models.PositiveIntegerField(null=True, blank=True)  # tool results that say they failed
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    synced_at = models.DateTimeField(db_index=True)
    # When the insight sync last read this conversation's results (null: not yet): where it resumes.
    insights_synced_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Covers the dashboard's per-day counts by assistant and version (no table reads).
            models.Index(fields=["assistant_id", "assistant_version_id", "created_at"], name="conv_traffic_idx"),
            # The call log's default page: real traffic, newest first.
            models.Index(fields=["is_test", "created_at"], name="conv_real_recent_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.telnyx_id

    @property
    def channel_label(self) -> str:
        """The channel in words ("SMS chat", not `sms_chat`)."""
        return CHANNEL_LABELS.get(self.channel, self.channel.replace("_", " ").capitalize())


#: Channels in words; the API names them `phone_call`, `sms_chat`, ...
CHANNEL_LABELS = {"phone_call": "Phone call", "web_call": "Web call", "sms_chat": "SMS chat", "web_chat": "Web chat",
                  "whatsapp_chat": "WhatsApp chat"}


class ConversationTranscript(models.Model):
    """The words of a conversation's messages, kept when the portal reads them (its page, the
    transcript indexer on the worker) so the call log can search what was said. A full-text
    index serves the search: FTS5 on SQLite, a GIN tsvector index on PostgreSQL (migration 0007)."""

    conversation_id = models.CharField(max_length=200, unique=True)
    text = models.TextField(blank=True)
    turns = models.PositiveIntegerField(default=0)
    indexed_at = models.DateTimeField(auto_now=True, db_index=True)  # the live gate reads what changed since a tick


class InsightTemplate(TelnyxCached):
    """Cached insight template: instructions run over each finished conversation."""

    name = models.CharField(max_length=300, blank=True, db_index=True)
    insight_type = models.CharField(max_length=20, blank=True, db_index=True)
    instructions = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.telnyx_id


class InsightGroup(TelnyxCached):
    """Cached insight group: the set of templates an assistant's conversations get."""

    name = models.CharField(max_length=300, db_index=True)
    description = models.TextField(blank=True)
    template_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InsightEvent(models.Model):
    """One Telnyx webhook that passed its signature check, kept by its event id: a duplicate
    delivery is recognised, and the worker applies each event once (`processed_at`)."""

    event_id = models.CharField(max_length=200, unique=True)
    event_type = models.CharField(max_length=100)
    occurred_at = models.DateTimeField(db_index=True)
    conversation_id = models.CharField(max_length=200, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]


class InsightResult(models.Model):
    """The newest result of one insight template on one conversation: the one store of insight
    results, filled by webhooks (`conversations.insights.events`), the insight sync and the
    release gate's reads, all through `conversations.insights.store.insight_result_store`.

    `occurred_at` is when Telnyx produced the result (the event's time): an older delivery never
    replaces a newer result. `values` holds the structured result's scalar fields ({"score": 0.7,
    "resolved": true, "sentiment": "positive"}), kept at store time so lists, filters, charts and
    the release gate read columns, never parse JSON per row. The assistant and version are the
    conversation's, kept here so analytics group without a join."""

    conversation_id = models.CharField(max_length=200)
    template_id = models.CharField(max_length=200, blank=True)
    assistant_id = models.CharField(max_length=200, blank=True, db_index=True)
    assistant_version_id = models.CharField(max_length=200, blank=True, db_index=True)
    result = models.TextField(blank=True)
    values = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=30, blank=True)
    occurred_at = models.DateTimeField(db_index=True)
    event_id = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=20, blank=True)  # "webhook", "sync", "gate" or "moved"
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["conversation_id", "template_id"]
        constraints = [models.UniqueConstraint(fields=["conversation_id", "template_id"], name="one_result_per_template")]
        indexes = [
            # Analytics: per template, assistant and version over time.
            models.Index(fields=["template_id", "assistant_id", "assistant_version_id", "occurred_at"],
                         name="insight_analytics_idx"),
            # The live gate's watermark: an assistant's results stored since the last tick.
            models.Index(fields=["assistant_id", "updated_at"], name="insight_changed_idx"),
            # A template's latest results (which fields it has), read without sorting all of them.
            models.Index(fields=["template_id", "occurred_at"], name="insight_latest_idx"),
        ]


class ConversationDay(models.Model):
    """How many cached conversations were created on one day for one assistant version and channel:
    the dashboard's per-day volume and traffic split and the list's assistant and channel choices
    read these (days × versions × channels rows), never the conversations. Kept by every cache write (`conversations.rollups`); `manage.py rebuild_rollups`
    recomputes them from the cache. A conversation with no creation time counts on `UNDATED`."""

    day = models.DateField()
    assistant_id = models.CharField(max_length=200, blank=True)
    assistant_version_id = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=50, blank=True)
    is_test = models.BooleanField(default=False)  # started by a test run: pages count real traffic only
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "assistant_id", "assistant_version_id", "channel", "is_test"],
                                               name="one_count_per_day_version_channel")]


class InsightDay(models.Model):
    """One insight template's results on one day for one assistant version: how many, and per
    structured field its running sum and count (`{"score": {"csat": [sum, n]}, "flag": {"resolved":
    [trues, n]}}`), so analytics read averages and rates from days × versions rows. Kept by
    `insight_result_store` as each result is stored or replaced; rebuilt by `manage.py rebuild_rollups`."""

    day = models.DateField()
    template_id = models.CharField(max_length=200, blank=True)
    assistant_id = models.CharField(max_length=200, blank=True)
    assistant_version_id = models.CharField(max_length=200, blank=True)
    n = models.IntegerField(default=0)
    sums = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template_id", "day", "assistant_id", "assistant_version_id"],
                                               name="one_insight_day_per_version")]


class ConversationHour(models.Model):
    """Per hour (UTC, by creation time), assistant version and traffic kind: how many conversations
    and the running sums of what their transcripts said, so an alert rule over a window reads
    hours × versions rows plus the conversations of its two partial hours, never the whole window.
    Kept by every cache write (`conversations.rollups.MEASURES`; a transcript read moves it through
    `cache_update`); `manage.py rebuild_rollups` recomputes it. `*_n` count the conversations
    that had the measure (turns and tools: transcript read; latency: a reply timed)."""

    hour = models.DateTimeField()
    assistant_id = models.CharField(max_length=200, blank=True)
    assistant_version_id = models.CharField(max_length=200, blank=True)
    is_test = models.BooleanField(default=False)
    n = models.IntegerField(default=0)
    duration_sum = models.BigIntegerField(default=0)
    duration_n = models.IntegerField(default=0)
    turns_sum = models.BigIntegerField(default=0)
    turns_n = models.IntegerField(default=0)
    latency_sum = models.BigIntegerField(default=0)  # ms
    latency_n = models.IntegerField(default=0)
    tools_n = models.IntegerField(default=0)  # transcripts read (tool failures are judged over these)
    tool_failed_n = models.IntegerField(default=0)  # of those, conversations with a failed tool call

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assistant_id", "hour", "assistant_version_id", "is_test"],
                                               name="one_measure_hour_per_version")]
