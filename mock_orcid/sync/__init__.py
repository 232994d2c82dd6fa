"""Features that keep other systems in step with the registry, each a listener of its change
stream: search, webhooks, and the sync buckets, Lambda file and public data file."""
