"""One module per Telnyx REST resource, mirroring the official SDK's `resources/ai/…`.

These modules are the only code that knows a Telnyx path. Each function builds its path
with `api_path` (every id a quoted segment), calls the client, and unwraps the answer:

- reads return the object (a dict) or a list of them, `data` envelope removed;
- writes return the `TelnyxResponse` with `.data` unwrapped, so the write path can audit
  Telnyx's status and request id.

No ORM, no views, no audit: services call these through `core.writes.telnyx_write`.
"""
