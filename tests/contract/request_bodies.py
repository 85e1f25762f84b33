"""Which official-SDK params type a portal request body must satisfy, and the check itself.

Each JSON body the portal sends is matched by method and path to an endpoint of
/work/shared/telnyx-endpoints.json (its `sdk_method`, e.g. `client.ai.clusters.compute`). The
SDK method's own source names the TypedDict its body goes through (`body=maybe_transform(...,
cluster_compute_params.ClusterComputeParams)`); pydantic validates the body against it with
unknown keys forbidden at every depth, so a misspelt field fails.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pydantic
import pydantic.warnings
import telnyx
from typing_extensions import is_typeddict

ENDPOINTS_FILE = Path("/work/shared/telnyx-endpoints.json")
LOCAL_COPY = Path(__file__).with_name("telnyx_endpoints.json")
BODY_PARAMS = re.compile(r"body=maybe_transform\((?:.|\n)*?(\w+_params)\.(\w+Params)")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # as sent, e.g. "ai/embeddings/buckets/kb%3Fx"
    body: object


@dataclass(frozen=True)
class Endpoint:
    method: str
    pattern: re.Pattern  # path parameters as named groups
    sdk_method: str


@cache
def endpoints() -> list[Endpoint]:
    source = ENDPOINTS_FILE if ENDPOINTS_FILE.exists() else LOCAL_COPY
    found = []
    for entry in json.loads(source.read_text()):
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(entry["path"].lstrip("/")))
        found.append(Endpoint(entry["method"], re.compile(f"^{regex}$"), entry["sdk_method"].split("(", 1)[0]))
    # Literal paths before templated ones: `ai/embeddings/url` is not `ai/embeddings/{task_id}`.
    return sorted(found, key=lambda e: e.pattern.pattern.count("[^/]+"))


def _aliases(params: type) -> dict[str, str]:
    """Wire name → Python name for the TypedDict's aliased keys (`"from"` → `from_`)."""
    found = {}
    for name, hint in typing.get_type_hints(params, include_extras=True).items():
        stack = [hint]
        while stack:
            tp = stack.pop()
            for meta in getattr(tp, "__metadata__", ()):
                if getattr(meta, "alias", None):
                    found[meta.alias] = name
            stack.extend(typing.get_args(tp))
    return found


def as_params(params: type, body: object, path_values: dict[str, str]) -> object:
    """The body as the SDK's TypedDict spells it: wire aliases back to Python names, and the
    path parameters some SDK methods declare in the same TypedDict (`assistant_id`) filled in."""
    if not isinstance(body, dict):
        return body
    aliases = _aliases(params)
    named = {aliases.get(key, key): value for key, value in body.items()}
    declared = typing.get_type_hints(params)
    return {**{k: v for k, v in path_values.items() if k in declared}, **named}


def endpoint_for(method: str, path: str) -> Endpoint | None:
    path = path.split("?", 1)[0].strip("/")
    return next((e for e in endpoints() if e.method == method and e.pattern.match(path)), None)


@cache
def params_type(sdk_method: str) -> type | None:
    """The TypedDict the SDK method's body is built from, or None if it sends no JSON body."""
    target = telnyx.Telnyx(api_key="unused", base_url="http://127.0.0.1:9")
    for attribute in sdk_method.split(".")[1:]:
        target = getattr(target, attribute)
    function = inspect.unwrap(target.__func__)
    match = BODY_PARAMS.search(inspect.getsource(function))
    if not match:
        return None
    module_name, class_name = match.groups()
    return getattr(function.__globals__[module_name], class_name)


def _forbid_extra_keys(tp, seen: set) -> None:
    """Make every TypedDict reachable from `tp` refuse unknown keys when pydantic validates it."""
    if id(tp) in seen:
        return
    seen.add(id(tp))
    if is_typeddict(tp):
        tp.__pydantic_config__ = pydantic.ConfigDict(extra="forbid")
        for hint in typing.get_type_hints(tp, include_extras=True).values():
            _forbid_extra_keys(hint, seen)
    for arg in typing.get_args(tp):
        _forbid_extra_keys(arg, seen)


@cache
def adapter(params: type) -> pydantic.TypeAdapter:
    _forbid_extra_keys(params, set())
    with warnings.catch_warnings():
        # A few SDK TypedDicts declare open extra items; pydantic keeps those open and says so.
        warnings.simplefilter("ignore", pydantic.warnings.TypedDictExtraConfigWarning)
        return pydantic.TypeAdapter(params)


def problems(recorded: Recorded) -> list[str]:
    """What is wrong with one recorded body, in words (empty when it validates)."""
    where = f"{recorded.method} {recorded.path}"
    endpoint = endpoint_for(recorded.method, recorded.path)
    if endpoint is None:
        return [f"{where}: no Telnyx endpoint has this method and path"]
    params = params_type(endpoint.sdk_method)
    if params is None:
        return [f"{where}: {endpoint.sdk_method} takes no JSON body, but the portal sent one"]
    try:
        path_values = endpoint.pattern.match(recorded.path.split("?", 1)[0].strip("/")).groupdict()
        adapter(params).validate_python(as_params(params, recorded.body, path_values))
    except pydantic.ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(body)'}: {e['msg']}" for e in exc.errors())
        return [f"{where} ({params.__name__}): {details}"]
    return []


# Filled by the session-wide recorder in tests/conftest.py.
RECORDED: list[Recorded] = []
