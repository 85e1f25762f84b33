"""Assistant-domain writes, one module per feature: Telnyx first, then cache, then audit."""
