"""Webhooks that really call back: the schedule ORCID's scheduler keeps, the HTTP call, and
the dispatcher thread that listens to the registry's change stream.

- ``schedule``: when a registration is due (a change since it was last sent, back-off after
  failures, at most 25 attempts) and which URL is called. Pure rules.
- ``delivery``: one POST with an empty body and a timeout.
- ``dispatcher``: the listener and background thread; passes, the bounded delivery log.
"""
