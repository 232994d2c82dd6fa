"""The test harness around the ORCID emulation: request journal, faults, rate limiting and the
clock. It watches and bends traffic from outside (a WSGI middleware) and is controlled only
under ``/__admin``; ORCID's paths behave as ORCID's unless a test asked otherwise."""
