"""ORCID's S3 public-data-sync buckets and the Lambda file, as views of the registry.

``keys`` names buckets and objects as ORCID's message listener does, ``documents`` renders the
XML it stores, ``lambda_file`` builds ``last_modified.csv.tar``, ``store`` holds the objects and
lists them the way S3 does, and ``view.SyncBuckets`` is the change-stream listener that keeps
them up to date.
"""
