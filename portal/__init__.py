# Load the Celery app with Django, so `shared_task`s bind to it and `.delay()` finds the broker.
from portal.celery import app as celery_app

__all__ = ("celery_app",)
