"""Demo knowledge, insights and fine-tuning data for `manage.py sandbox_seed --demo`:
buckets with documents and finished embedding tasks, one computed cluster task, insight
templates and groups, and two fine-tuning jobs (one finished, one still running)."""

from __future__ import annotations

from datetime import timedelta

from sandbox.api import new_id, now
from sandbox.behaviour import clusters as cluster_service
from sandbox.behaviour import embeddings, fine_tuning
from sandbox.behaviour.demo_documents import DEMO_BUCKETS
from sandbox.behaviour.quality import BUILT_IN_TEMPLATES
from sandbox.models import SbBucket, SbFineTuningJob, SbInsightGroup, SbInsightTemplate

DEMO_TEMPLATES = [
    ("Summary", "Summarise the conversation in two sentences.", "default", None),
    ("Sentiment", "Rate the customer's sentiment at the end of the conversation.", "default",
     {"type": "object", "properties": {"sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]}},
      "required": ["sentiment"]}),
    ("Resolution", "Was the customer's issue resolved? Answer yes or no and say why.", "default", None),
    ("Churn risk", "Does the customer mention cancelling, switching provider or a competitor?", "custom",
     {"type": "object", "properties": {"churn_risk": {"type": "boolean"}, "reason": {"type": "string"}},
      "required": ["churn_risk"]}),
]
DEMO_GROUPS = [
    ("Support QA", "Quality review of support calls.", ["Summary", "Sentiment", "Resolution"]),
    ("Retention", "Spot customers at risk of leaving.", ["Summary", "Churn risk"]),
]


def seed_demo_knowledge() -> dict[str, int]:
    """Create the demo data (the caller checks it is not there yet); returns counts."""
    start = now() - timedelta(days=10)
    for index, (name, files) in enumerate(DEMO_BUCKETS.items()):
        bucket = embeddings.put_documents(name, files, created_at=start, is_demo=True)
        task = embeddings.embed_bucket(bucket, {"document_chunk_size": 512, "document_chunk_overlap_size": 128},
                                       created_at=start + timedelta(days=index + 1), is_demo=True)
        task.duration_s = 45.0
        task.save(update_fields=["duration_s"])
    clustered = cluster_service.compute("acme-support-kb", min_cluster_size=2, min_subcluster_size=1, is_demo=True)
    clustered.created_at = now() - timedelta(days=1)  # long finished
    clustered.save(update_fields=["created_at"])

    for offset, (template_id, name, instructions, schema) in enumerate(BUILT_IN_TEMPLATES):
        SbInsightTemplate.objects.get_or_create(id=template_id, defaults=dict(
            name=name, instructions=instructions, insight_type="default", json_schema=schema,
            created_at=start - timedelta(days=30 - offset), is_demo=True))
    templates = {}
    for offset, (name, instructions, kind, schema) in enumerate(DEMO_TEMPLATES):
        templates[name] = SbInsightTemplate.objects.create(
            id=new_id(), name=name, instructions=instructions, insight_type=kind, json_schema=schema,
            created_at=start + timedelta(minutes=offset), is_demo=True)
    for offset, (name, description, members) in enumerate(DEMO_GROUPS):
        group = SbInsightGroup.objects.create(id=new_id(), name=name, description=description,
                                              created_at=start + timedelta(hours=offset), is_demo=True)
        group.insights.set([templates[m] for m in members])

    finished = fine_tuning.create(model="meta-llama/Meta-Llama-3.1-8B-Instruct", training_file="acme-support-kb",
                                  n_epochs=3, suffix="acme-support", created_at=now() - timedelta(days=3),
                                  is_demo=True)
    running = fine_tuning.create(model="meta-llama/Meta-Llama-3.1-70B-Instruct", training_file="acme-policies",
                                 n_epochs=2, suffix="policies", created_at=now() - timedelta(minutes=40),
                                 is_demo=True)
    # Durations that read as real training: one finished an hour in, one is mid-way through two hours.
    SbFineTuningJob.objects.filter(pk=finished.pk).update(duration_s=3600)
    SbFineTuningJob.objects.filter(pk=running.pk).update(duration_s=7200)
    return {"buckets": len(DEMO_BUCKETS), "templates": len(templates), "groups": len(DEMO_GROUPS),
            "fine_tuning_jobs": 2}


def demo_knowledge_present() -> bool:
    return SbBucket.objects.filter(is_demo=True).exists()
