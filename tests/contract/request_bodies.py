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
from urllib.parse import unquote

import pydantic
import pydantic.warnings
import telnyx
import typing_extensions
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
    pattern: re.Pattern  # one capture group per path parameter
    sdk_method: str
    path_params: tuple[str, ...]


#: Endpoints the portal calls beyond the seed documents, as the pinned SDK defines them (the shared
#: tool library, assistant tags and tools, instruction enhancement): their bodies are checked too.
BEYOND_THE_SEEDS = [
    {"method": "POST", "path": "/ai/tools", "sdk_method": "client.ai.tools.create"},
    {"method": "PATCH", "path": "/ai/tools/{tool_id}", "sdk_method": "client.ai.tools.update"},
    {"method": "POST", "path": "/ai/assistants/{assistant_id}/tags", "sdk_method": "client.ai.assistants.tags.add"},
    {"method": "PUT", "path": "/ai/assistants/{assistant_id}/tools/{tool_id}", "sdk_method": "client.ai.assistants.tools.add"},
    {"method": "POST", "path": "/ai/assistants/{assistant_id}/instructions/enhance",
     "sdk_method": "client.ai.assistants.instructions.enhance"},
]


@cache
def endpoints() -> list[Endpoint]:
    source = ENDPOINTS_FILE if ENDPOINTS_FILE.exists() else LOCAL_COPY
    found = []
    seeds = json.loads(source.read_text())
    known = {(entry["method"], entry["path"]) for entry in seeds}
    for entry in seeds + [e for e in BEYOND_THE_SEEDS if (e["method"], e["path"]) not in known]:
        template = entry["path"].lstrip("/")
        regex = re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template))
        found.append(Endpoint(entry["method"], re.compile(f"^{regex}$"), entry["sdk_method"].split("(", 1)[0],
                              tuple(re.findall(r"\{(\w+)\}", template))))
    # Literal paths before templated ones: `ai/embeddings/url` is not `ai/embeddings/{task_id}`.
    return sorted(found, key=lambda e: len(e.path_params))


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


def _unrequired(hint):
    """`Required[X]` / `NotRequired[X]` → X."""
    while typing.get_origin(hint) in (typing_extensions.Required, typing_extensions.NotRequired):
        hint = typing.get_args(hint)[0]
    return hint


def _wire_to_python(value, tp):
    """The body with wire names turned back into the TypedDict's keys (`from` → `from_`: the SDK
    declares such renames as `Annotated[..., PropertyInfo(alias="from")]`)."""
    from telnyx._utils import PropertyInfo

    tp = _unrequired(tp)
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if is_typeddict(tp) and isinstance(value, dict):
        hints = typing.get_type_hints(tp, include_extras=True)
        aliases = {meta.alias: name for name, hint in hints.items() for meta in getattr(_unrequired(hint), "__metadata__", ())
                   if isinstance(meta, PropertyInfo) and meta.alias}
        # A Python-side name on the wire is wrong too: make it an unknown key that says so.
        wrong = {name: f"{name} (send it as {alias!r})" for alias, name in aliases.items()}
        renamed = {aliases.get(key) or wrong.get(key, key): item for key, item in value.items()}
        return {key: _wire_to_python(item, hints.get(key)) for key, item in renamed.items()}
    args = typing.get_args(tp)
    if isinstance(value, list) and args:
        return [_wire_to_python(item, args[0]) for item in value]
    nested = [arg for arg in args if is_typeddict(arg) or typing.get_origin(arg) is typing.Annotated]
    return _wire_to_python(value, nested[0]) if len(nested) == 1 else value


def problems(recorded: Recorded) -> list[str]:
    """What is wrong with one recorded body, in words (empty when it validates)."""
    where = f"{recorded.method} {recorded.path}"
    endpoint = endpoint_for(recorded.method, recorded.path)
    if endpoint is None:
        return [f"{where}: no Telnyx endpoint has this method and path"]
    params = params_type(endpoint.sdk_method)
    if params is None:
        return [f"{where}: {endpoint.sdk_method} takes no JSON body, but the portal sent one"]
    body = _wire_to_python(recorded.body, params)
    if isinstance(body, dict):
        # Stainless puts the outer path parameters (e.g. `assistant_id`) in the params type too.
        keys = typing.get_type_hints(params)
        values = endpoint.pattern.match(recorded.path.split("?", 1)[0].strip("/")).groups()
        body = {**{n: unquote(v) for n, v in zip(endpoint.path_params, values) if n in keys}, **body}
    try:
        adapter(params).validate_python(body)
    except pydantic.ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(body)'}: {e['msg']}" for e in exc.errors())
        return [f"{where} ({params.__name__}): {details}"]
    return []


# Filled by the session-wide recorder in tests/conftest.py.
RECORDED: list[Recorded] = []


def dump_recorded(path: Path) -> None:
    """Leave this process's recorded bodies for the final check (one file per pytest-xdist worker)."""
    path.write_text(json.dumps([[r.method, r.path, r.body] for r in RECORDED]))


def load_recorded(folder: Path) -> list[Recorded]:
    """Every body the other test processes of this run recorded (see bin/test, TEST_RECORD_DIR)."""
    return [Recorded(method, path, body) for dump in sorted(folder.glob("bodies-*.json"))
            for method, path, body in json.loads(dump.read_text())]
