"""Conversation insights: templates and groups (pages, sync, writes), results (webhooks, sync,
store), analytics and the insight-field filters of the conversations list.

Kept inside `conversations` rather than an app of its own: the two read each other both ways
(the conversations list filters, sorts and exports by insight fields and the conversation page
shows its stored insight runs; insights are read per conversation), and the four insight models
share `conversations`' migration history. As two apps they would import each other, which the
layering test forbids; moving the models would be a state-only migration that buys nothing.
"""
