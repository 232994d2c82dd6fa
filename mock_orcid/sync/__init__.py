"""Keeping in sync: features that follow the registry's change stream (search, webhooks,
sync buckets, exports). Each lives in its own module or subpackage and listens on its own."""
