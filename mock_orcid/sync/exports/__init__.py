"""The files ORCID publishes for bulk readers, written from a running mock: the Lambda file and
the annual public data file. Both read the server over HTTP through its S3 surface, so an export
holds exactly what a test built, and exactly what the sync buckets serve."""
