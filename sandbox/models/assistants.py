"""Assistants, their versions and canary deploys.

An assistant's configuration lives only in its versions; the assistant row points at the
main one. Every API field except ids and timestamps is kept in ``SbVersion.config``.
"""

from django.db import models

from sandbox.models.base import SbObject


class SbAssistant(SbObject):
    main_version = models.ForeignKey("SbVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    # Soft delete: set when the assistant is in "Recently Deleted".
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self):
        return self.id


class SbVersion(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    assistant = models.ForeignKey(SbAssistant, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=200, blank=True)
    config = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.assistant_id}/{self.id}"


class SbCanaryDeploy(models.Model):
    assistant = models.OneToOneField(SbAssistant, primary_key=True, on_delete=models.CASCADE,
                                     related_name="canary")
    rules = models.JSONField(default=list)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def version_ids(self) -> set[str]:
        """Every version the rules mention (pruning must keep them)."""
        ids = set()
        for rule in self.rules:
            serve = rule.get("serve", {})
            if serve.get("version_id"):
                ids.add(serve["version_id"])
            for slot in serve.get("rollout") or []:
                ids.add(slot["version_id"])
        return ids


class SbVersionQuality(models.Model):
    """How much lower the sandbox scores conversations one version served (0 = as every
    other version), so a degraded candidate can be simulated (`sandbox_score_version`)."""

    version = models.OneToOneField(SbVersion, primary_key=True, on_delete=models.CASCADE, related_name="quality")
    penalty = models.FloatField(default=0.0)
