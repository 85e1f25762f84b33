"""Assistant tests (a suite is just the ``test_suite`` string) and their runs."""

from django.db import models


class SbTest(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    test_suite = models.CharField(max_length=200, blank=True, db_index=True)
    channel = models.CharField(max_length=20, default="web_chat")
    destination = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict)  # description, instructions, rubric, max_duration_seconds
    created_at = models.DateTimeField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]


class SbTestRun(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    test = models.ForeignKey(SbTest, on_delete=models.CASCADE, related_name="runs")
    test_suite_run_id = models.CharField(max_length=64, blank=True, db_index=True)
    destination_version_id = models.CharField(max_length=64, blank=True)
    triggered_by = models.CharField(max_length=50, default="api")
    created_at = models.DateTimeField(db_index=True)
    # Decided at trigger time and revealed once the simulated run finishes.
    outcome = models.CharField(max_length=10, default="passed")
    detail_status = models.JSONField(default=list)
    logs = models.TextField(blank=True)
    conversation_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
