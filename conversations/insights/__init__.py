"""Insight templates and groups (`/conversations/insights/`): what Telnyx works out from each conversation."""
