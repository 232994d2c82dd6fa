"""Features that keep other systems in sync with the registry, each a listener of its change
stream: webhooks (and, as they arrive, search, sync buckets, exports)."""
