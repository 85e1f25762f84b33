"""Testing-domain writes and syncs, one module per feature: Telnyx first, then cache, then audit."""
