"""Conversation insight templates and the groups they are assigned to."""

from django.db import models


class SbInsightTemplate(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    instructions = models.TextField()
    insight_type = models.CharField(max_length=20, default="custom")
    # A JSON schema object, or the schema as a string, exactly as the client sent it.
    json_schema = models.JSONField(null=True, blank=True)
    webhook = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class SbInsightGroup(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    webhook = models.CharField(max_length=500, blank=True)
    insights = models.ManyToManyField(SbInsightTemplate, blank=True, related_name="groups")
    created_at = models.DateTimeField(db_index=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name
