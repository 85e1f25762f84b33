"""Inference's background work: the model catalogue and fine-tuning jobs sync on the worker,
and the sweep re-reads fine-tuning jobs until each one is final."""

from core.background import register_listing
from inference import services
from inference.models import FineTuningJob

register_listing(services.MODELS_RESOURCE, services.models_sync)
register_listing(services.JOBS_RESOURCE, services.fine_tuning_jobs_sync,
                 unfinished=lambda: FineTuningJob.objects.exclude(status__in=FineTuningJob.FINAL).exists())
