"""POST /ai/summarize: an extractive summary of one stored document."""

from sandbox.api import ApiError, ok, validate
from sandbox.behaviour import embeddings
from sandbox.behaviour.summaries import summarize as summarize_text


def summarize(request):
    body = request.json
    validate(body, required={"bucket": str, "filename": str}, optional={"system_prompt": str})
    bucket = embeddings.get_bucket(body["bucket"])
    document = bucket.documents.filter(filename=body["filename"]).first()
    if document is None:
        raise ApiError(404, f"File {body['filename']} not found in bucket {bucket.name}.", pointer="/filename")
    return ok({"data": {"summary": summarize_text(document.text, body.get("system_prompt") or "")}})
