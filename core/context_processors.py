"""What every page's chrome needs from the shared library: whether background work waits on a
worker that does not answer (read lazily: only base.html's banner asks)."""

from django.utils.functional import SimpleLazyObject

from core.heartbeat import worker_silence


def worker(request):
    user = getattr(request, "user", None)
    return {"worker_silence": SimpleLazyObject(worker_silence) if user and user.is_authenticated else None}
