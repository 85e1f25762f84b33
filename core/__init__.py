"""The shared library every domain app builds on: changelists, syncs, the cache, the one write
path (Telnyx → cache → audit), background-task plumbing and the project-wide tasks (core/tasks.py),
template tags (`{% load portal_tags %}`), HTMX and form helpers, middleware.

It imports no domain app and not `console`; it may import the ground floor, `portal` (its
models, roles, the Celery app and the Telnyx client).
"""
