"""GET /ai/openai/models and its seed-era alias GET /ai/models."""

from sandbox.api import ok
from sandbox.behaviour.model_catalogue import MODELS


def models_list(request):
    return ok({"object": "list", "data": MODELS})
