"""The sandbox's HTTP framework: auth, faults, JSON bodies, Telnyx error envelopes, paging.

Every sandbox view is built with :func:`endpoint`, which maps HTTP methods to handler
functions. Handlers take ``(request, **url_kwargs)``, read ``request.json`` and return a
``JsonResponse`` (see :func:`ok`) or raise :class:`ApiError`.
"""

from __future__ import annotations

import hmac
import json
import math
import time
import uuid
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from sandbox import faults, ratelimit
from sandbox.behaviour import idempotency

# Telnyx error codes used by the sandbox (Telnyx reuses a few generic ones).
CODE_INVALID = "10015"  # bad request / invalid parameter
CODE_UNAUTHORIZED = "10009"
CODE_NOT_FOUND = "10005"
CODE_CONFLICT = "10020"
CODE_RATE_LIMITED = "10011"
CODE_SERVER = "10007"
CODE_METHOD = "10006"

STATUS_TITLES = {
    400: ("Bad Request", CODE_INVALID),
    401: ("Authentication failed", CODE_UNAUTHORIZED),
    403: ("Forbidden", "10010"),
    404: ("Resource not found", CODE_NOT_FOUND),
    405: ("Method not allowed", CODE_METHOD),
    408: ("Request timeout", CODE_SERVER),
    409: ("Conflict", CODE_CONFLICT),
    422: ("Invalid parameter", CODE_INVALID),
    429: ("Too many requests", CODE_RATE_LIMITED),
}


class ApiError(Exception):
    """An error answered in Telnyx's envelope; ``errors`` holds one or more error objects."""

    def __init__(self, status: int, detail: str = "", *, pointer: str | None = None,
                 parameter: str | None = None, title: str | None = None, code: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(detail or title or str(status))
        self.status = status
        self.headers = headers or {}
        if errors is None:
            errors = [error_object(status, detail, pointer=pointer, parameter=parameter,
                                   title=title, code=code)]
        self.errors = errors

    def as_response(self) -> JsonResponse:
        response = JsonResponse({"errors": self.errors}, status=self.status)
        for name, value in self.headers.items():
            response[name] = value
        return response


def error_object(status: int, detail: str = "", *, pointer: str | None = None,
                 parameter: str | None = None, title: str | None = None,
                 code: str | None = None) -> dict:
    """One item of the ``errors`` list, shaped like the SDK's shared ``APIError``."""
    default_title, default_code = STATUS_TITLES.get(status, ("Internal server error", CODE_SERVER))
    item = {"code": code or default_code, "title": title or default_title, "detail": detail or title or default_title}
    source = {}
    if pointer is not None:
        source["pointer"] = pointer
    if parameter is not None:
        source["parameter"] = parameter
    if source:
        item["source"] = source
    return item


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, f"{what} {ident} not found.")


def get_or_not_found(model, pk: str, what: str):
    """The `model` row with primary key `pk`, else Telnyx's 404 naming `what`."""
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise not_found(what, pk)
    return row


# --- responses ------------------------------------------------------------------------------

def ok(payload, status: int = 200) -> JsonResponse:
    """A JSON answer; lists are allowed (some Telnyx endpoints return bare arrays)."""
    return JsonResponse(payload, status=status, safe=False)


def no_content() -> HttpResponse:
    return HttpResponse(status=204)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a trailing Z, as Telnyx writes timestamps."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4()}"


def now() -> datetime:
    return timezone.now()


# --- request parsing and validation ---------------------------------------------------------

def parse_json_body(request) -> dict:
    """The JSON object sent as the body; empty bodies count as ``{}``."""
    if request.content_type == "multipart/form-data":
        return {}  # uploads are read from request.POST / request.FILES by their view
    if request.method in ("GET", "HEAD", "DELETE") and not request.body:
        return {}
    raw = request.body.strip()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON.", pointer="/") from None
    if not isinstance(body, dict):
        raise ApiError(422, "The request body must be a JSON object.", pointer="/")
    return body


class Enum:
    """A field whose value must be one of ``choices``."""

    def __init__(self, *choices):
        self.choices = choices


class ListOf:
    """A field holding a list of ``kind`` (a type, tuple of types, Enum or ListOf)."""

    def __init__(self, kind):
        self.kind = kind


TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
              dict: "an object", list: "an array"}


def _type_error(value, kind, pointer: str) -> dict | None:
    if isinstance(kind, Enum):
        if value not in kind.choices:
            return error_object(422, f"Must be one of: {', '.join(map(str, kind.choices))}.", pointer=pointer)
        return None
    if isinstance(kind, ListOf):
        if not isinstance(value, list):
            return error_object(422, "Must be an array.", pointer=pointer)
        for index, item in enumerate(value):
            problem = _type_error(item, kind.kind, f"{pointer}/{index}")
            if problem:
                return problem
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    accepted = kinds + (int,) if float in kinds else kinds  # JSON numbers may be integral
    # bool is an int in Python, but never a number in JSON.
    wrong_bool = isinstance(value, bool) and bool not in kinds
    if wrong_bool or not isinstance(value, accepted):
        names = " or ".join(TYPE_NAMES.get(k, k.__name__) for k in kinds)
        return error_object(422, f"Must be {names}.", pointer=pointer)
    return None


def check_fields(body: dict, *, required: dict | None = None, optional: dict | None = None,
                 prefix: str = "") -> list[dict]:
    """Errors for missing required fields and wrongly typed fields (None counts as absent
    for optional fields). Pointers are JSON pointers under ``prefix``; what is not an object at
    all is one error at ``prefix``."""
    if not isinstance(body, dict):
        return [error_object(422, "Must be an object.", pointer=prefix)]
    errors = []
    for name, kind in (required or {}).items():
        if body.get(name) in (None, ""):
            errors.append(error_object(422, f"The '{name}' field is required.", pointer=f"{prefix}/{name}"))
            continue
        problem = _type_error(body[name], kind, f"{prefix}/{name}")
        if problem:
            errors.append(problem)
    for name, kind in (optional or {}).items():
        if body.get(name) is None:
            continue
        problem = _type_error(body[name], kind, f"{prefix}/{name}")
        if problem:
            errors.append(problem)
    return errors


def validate(body: dict, *, required: dict | None = None, optional: dict | None = None) -> None:
    """Raise a 422 listing every problem found by :func:`check_fields`."""
    errors = check_fields(body, required=required, optional=optional)
    if errors:
        raise ApiError(422, errors=errors)


def parse_datetime_field(value, pointer: str) -> datetime:
    """An ISO 8601 timestamp from a body or query value; naive values are taken as UTC."""
    if not isinstance(value, str):
        raise ApiError(422, "Must be an ISO 8601 date-time.", pointer=pointer)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, "Must be an ISO 8601 date-time.", pointer=pointer) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def query_bool(request, name: str, default: bool = False) -> bool:
    raw = request.GET.get(name)
    if raw is None:
        return default
    return raw.lower() in ("1", "true", "yes")


# --- pagination -----------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 250


def page_params(request, *, default_size: int = DEFAULT_PAGE_SIZE, max_size: int = MAX_PAGE_SIZE) -> tuple[int, int]:
    """``page[number]`` and ``page[size]`` from the query string, validated.

    A size up to MAX_PAGE_SIZE is accepted; an endpoint with a smaller ``max_size`` answers
    at most that many (as Telnyx's assistants list does with 100), and says so in ``meta``.
    """
    values = []
    for name, default in (("page[number]", 1), ("page[size]", default_size)):
        raw = request.GET.get(name, default)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = 0
        if value < 1 or (name == "page[size]" and value > MAX_PAGE_SIZE):
            raise ApiError(400, f"{name} must be an integer between 1 and "
                                f"{MAX_PAGE_SIZE if name == 'page[size]' else 'the last page'}.",
                           parameter=name)
        values.append(value)
    return values[0], min(values[1], max_size)


def paginate(request, items, serialize, *, default_size: int = DEFAULT_PAGE_SIZE,
             max_size: int = MAX_PAGE_SIZE) -> dict:
    """Telnyx's flat page: ``{data, meta: {page_number, page_size, total_pages, total_results}}``.

    ``items`` may be a queryset (sliced in the database) or a list.
    """
    number, size = page_params(request, default_size=default_size, max_size=max_size)
    total = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (number - 1) * size
    page = items[start:start + size]
    return {
        "data": [serialize(item) for item in page],
        "meta": {
            "page_number": number,
            "page_size": size,
            "total_pages": max(1, math.ceil(total / size)),
            "total_results": total,
        },
    }


# --- the decorator --------------------------------------------------------------------------

def authorised(request) -> bool:
    """The request carries the sandbox's API key (also lets it send a large upload)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), settings.SANDBOX_API_KEY)


def sandbox_endpoint(methods: list[str]):
    """Wrap a view as a sandbox API endpoint (see module docstring for what it adds)."""
    allowed = {m.upper() for m in methods}

    def decorator(view):
        @csrf_exempt
        @login_not_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request_id = str(uuid.uuid4())
            try:
                response = _handle(request, view, allowed, args, kwargs)
            except ApiError as exc:
                response = exc.as_response()
            response["X-Request-Id"] = request_id
            limit = getattr(request, "sandbox_rate", None)
            for name, value in (ratelimit.headers(limit) if limit else {}).items():
                response.setdefault(name, value)
            return response

        return wrapper

    return decorator


def _handle(request, view, allowed, args, kwargs):
    # The key first, before any fault, wait or budget: nobody without it can make a thread sleep.
    if not authorised(request):
        raise ApiError(401, "Send 'Authorization: Bearer <API key>' with a valid key.")
    limit = request.sandbox_rate = ratelimit.check(settings.SANDBOX_API_KEY)
    if limit is not None and not limit.allowed:
        raise ApiError(429, "You have exceeded the maximum number of allowed requests.",
                       headers=ratelimit.headers(limit))
    try:
        fault = faults.fault_for(request)
    except faults.FaultSpecError as exc:
        raise ApiError(400, str(exc), parameter="X-Sandbox-Fault") from exc
    delay_ms = ratelimit.profile_delay_ms()
    if delay_ms:
        time.sleep(delay_ms / 1000)
    if fault:
        replacement = faults.apply_fault(request, fault)
        if replacement is not None:
            return replacement
        if fault.status:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            raise ApiError(fault.status, "Injected by the sandbox fault header or SANDBOX_FAULTS.",
                           headers=headers)
    if request.method not in allowed:
        raise ApiError(405, f"{request.method} is not allowed here.",
                       headers={"Allow": ", ".join(sorted(allowed))})
    request.json = parse_json_body(request)
    try:
        response = idempotency.replay(request)
    except idempotency.KeyReused as exc:
        raise ApiError(422, str(exc), parameter="Idempotency-Key") from exc
    if response is None:
        try:
            response = view(request, *args, **kwargs)
        except ApiError as exc:
            response = exc.as_response()
        idempotency.remember(request, response)
    if fault and fault.drop_after:
        return faults.dropped_connection_response(request)
    return response


@sandbox_endpoint(methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_path(request, path=""):
    """Anything under the sandbox that no endpoint matches: a 404 in Telnyx's envelope."""
    raise ApiError(404, f"No sandbox endpoint at {request.path}.")


def endpoint(**handlers):
    """One URL, several methods: ``endpoint(GET=retrieve, POST=update)`` builds the view."""

    @sandbox_endpoint(methods=list(handlers))
    def view(request, *args, **kwargs):
        return handlers[request.method](request, *args, **kwargs)

    view.__name__ = "_".join(h.__name__ for h in handlers.values())
    return view
