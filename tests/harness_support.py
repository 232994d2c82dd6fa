"""Helpers for the harness tests: in-process servers on given fixtures, and the CLI as a
subprocess (what a user runs)."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_FIXTURES = REPO / "examples" / "fixtures"
JOSIAH = "0000-0002-1825-0097"
ADA = "0009-0001-5055-9262"
EXAMPLE_MEMBER = "APP-EXAMPLEMEMBER001"
EXAMPLE_TOKEN = "example-josiah-update-token"
READ_PUBLIC_TOKEN = "example-read-public-token"
JSON = "application/vnd.orcid+json"
XML = "application/vnd.orcid+xml"


@contextlib.contextmanager
def server(**settings):
    """A mock-orcid in this process on a free port, with the given settings."""
    from mock_orcid.server import RunningServer
    from mock_orcid.settings import Settings
    running = RunningServer(Settings(host="127.0.0.1", port=0, **settings)).start()
    try:
        yield running
    finally:
        running.stop()


def bearer(token: str, accept: str = JSON, **headers) -> dict:
    return {"Authorization": "Bearer " + token, "Accept": accept, **headers}


class ServeProcess:
    """``mock-orcid serve`` as a child process (port 0), its URL read from its first line."""

    def __init__(self, *args: str, env: dict | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mock_orcid", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **(env or {})})
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.proc.kill()
            raise AssertionError("mock-orcid did not start: %r %s" % (line, self.proc.stderr.read()))
        self.url = match.group(1)
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/__admin/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise AssertionError("mock-orcid never answered at %s" % self.url)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill()


def run_cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mock_orcid", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})
