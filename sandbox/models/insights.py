"""Conversation insight templates and the groups they are assigned to."""

from django.db import models

from sandbox.models.base import SbObject


class SbInsightTemplate(SbObject):
    name = models.CharField(max_length=200)
    instructions = models.TextField()
    insight_type = models.CharField(max_length=20, default="custom")
    # A JSON schema object, or the schema as a string, exactly as the client sent it.
    json_schema = models.JSONField(null=True, blank=True)
    webhook = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return self.name


class SbInsightGroup(SbObject):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    webhook = models.CharField(max_length=500, blank=True)
    insights = models.ManyToManyField(SbInsightTemplate, blank=True, related_name="groups")

    def __str__(self):
        return self.name
