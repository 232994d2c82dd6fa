"""Health answers as soon as the server listens; ``?ready`` answers only once the background
warm-up (schema sets, search engine, OpenID key) is done, so whoever waits for it (Docker's
HEALTHCHECK, a CI job) gets a first API call as fast as the second."""
from __future__ import annotations

import threading

import requests

from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings


def test_health_with_ready_is_ok_once_the_fixture_hands_over_the_server(mock_orcid):
    r = requests.get(mock_orcid.url + "/__admin/health?ready")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_health_answers_at_once_but_ready_says_starting_until_the_warm_up_is_done(monkeypatch):
    release = threading.Event()
    warm_up = RunningServer._warm_up

    def held_warm_up(self):
        release.wait(30)
        warm_up(self)

    monkeypatch.setattr(RunningServer, "_warm_up", held_warm_up)
    server = RunningServer(Settings(host="127.0.0.1", port=0)).start()
    try:
        alive = requests.get(server.url + "/__admin/health", timeout=5)
        assert alive.status_code == 200 and alive.json() == {"status": "ok"}
        for query in ("?ready", "?ready=true"):
            starting = requests.get(server.url + "/__admin/health" + query, timeout=5)
            assert starting.status_code == 503 and starting.json() == {"status": "starting"}
        release.set()
        assert server.wait_until_loaded(60)
        ready = requests.get(server.url + "/__admin/health?ready", timeout=5)
        assert ready.status_code == 200 and ready.json() == {"status": "ok"}
    finally:
        release.set()
        server.stop()
