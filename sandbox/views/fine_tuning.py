"""Fine-tuning jobs: list, create, retrieve, cancel. Jobs come bare (not in ``data``)."""

from sandbox.api import ApiError, ok, validate
from sandbox.behaviour import fine_tuning as svc
from sandbox.behaviour.model_catalogue import MODELS
from sandbox.models import SbFineTuningJob

FINE_TUNABLE = [m["id"] for m in MODELS if m.get("is_fine_tunable")]
MAX_EPOCHS = 50


def job_list(request):
    return ok({"object": "list", "data": [svc.job_json(j) for j in SbFineTuningJob.objects.all()]})


def job_create(request):
    body = request.json
    validate(body, required={"model": str, "training_file": str},
             optional={"hyperparameters": dict, "suffix": str})
    if body["model"] not in FINE_TUNABLE:
        raise ApiError(422, f"Model '{body['model']}' cannot be fine-tuned; choose one of: {', '.join(FINE_TUNABLE)}.",
                       pointer="/model")
    epochs = (body.get("hyperparameters") or {}).get("n_epochs", svc.DEFAULT_EPOCHS)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise ApiError(422, f"Must be an integer between 1 and {MAX_EPOCHS}.", pointer="/hyperparameters/n_epochs")
    if len(body.get("suffix") or "") > 40:
        raise ApiError(422, "Must be at most 40 characters.", pointer="/suffix")
    job = svc.create(model=body["model"], training_file=body["training_file"], n_epochs=epochs,
                     suffix=body.get("suffix") or "")
    return ok(svc.job_json(job))


def job_retrieve(request, job_id):
    return ok(svc.job_json(svc.get_job(job_id)))


def job_cancel(request, job_id):
    return ok(svc.job_json(svc.cancel(svc.get_job(job_id))))
