"""The shared library every domain app builds on: changelists, syncs, the cache, the one write
path (Telnyx → cache → audit), HTMX and form helpers, middleware.

It imports no domain app; it may import the project's models (audit events, sync state),
roles and the Telnyx client.
"""
