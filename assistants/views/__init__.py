"""Assistant pages, one module per feature (assistants, versions, canary deploys, chat, ...)."""
