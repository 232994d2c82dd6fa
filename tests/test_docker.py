"""The Docker image: builds, starts, reports healthy, and serves a real OAuth + add-a-work flow.

Needs a Docker engine; ``../shared/tools/docker-up`` provides one (and the python:3.11-slim base
image) on the project machines and in CI. Skipped only where docker-up cannot run.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
DOCKER_UP = REPO.parent / "shared" / "tools" / "docker-up"   # ../shared beside the repo
IMAGE = "mock-orcid:test"

ORCID = "0000-0002-1825-0097"
CLIENT_ID = "APP-MOCKMEMBER000001"
CLIENT_SECRET = "mock-member-secret"
REDIRECT = "http://localhost/callback"

WORK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<work:work xmlns:common="http://www.orcid.org/ns/common" xmlns:work="http://www.orcid.org/ns/work">
  <work:title><common:title>Cracked pots in a container</common:title></work:title>
  <work:type>journal-article</work:type>
  <common:external-ids><common:external-id>
    <common:external-id-type>doi</common:external-id-type>
    <common:external-id-value>10.5555/docker-12345</common:external-id-value>
    <common:external-id-relationship>self</common:external-id-relationship>
  </common:external-id></common:external-ids>
</work:work>
"""

pytestmark = [pytest.mark.slow, pytest.mark.docker]


def _run(args, timeout, check=True):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError("%s exited %d\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(map(str, args)), proc.returncode,
                                proc.stdout[-4000:], proc.stderr[-4000:]))
    return proc


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def docker_image():
    if not DOCKER_UP.is_file():
        pytest.skip("docker-up cannot run: %s does not exist (../shared is not beside the repo)" % DOCKER_UP)
    if os.geteuid() != 0:
        pytest.skip("docker-up cannot run: it installs and starts a Docker engine, which needs root")
    if shutil.which("apt-get") is None:
        pytest.skip("docker-up cannot run: no apt-get on this machine to install docker.io")
    _run(["bash", str(DOCKER_UP)], timeout=900)
    _run(["docker", "build", "-t", IMAGE, str(REPO)], timeout=900)
    return IMAGE


@pytest.fixture
def container(docker_image):
    port = _free_port()
    base = "http://127.0.0.1:%d" % port
    name = "mock-orcid-test-%s" % uuid.uuid4().hex[:10]
    try:
        # The base URL tells the mock how the host reaches it, so Location headers are usable here.
        _run(["docker", "run", "-d", "--name", name, "-p", "127.0.0.1:%d:8080" % port,
              "-e", "MOCK_ORCID_BASE_URL=" + base, docker_image], timeout=120)
        yield name, base
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)


def _logs(name: str) -> str:
    proc = subprocess.run(["docker", "logs", name], capture_output=True, text=True, timeout=30)
    return (proc.stdout + proc.stderr)[-3000:]


def _wait_for_health(name: str, base: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    last = None
    while time.monotonic() < deadline:
        try:
            r = requests.get(base + "/__admin/health", timeout=2)
            if r.status_code == 200 and r.json() == {"status": "ok"}:
                return
            last = "%s %s" % (r.status_code, r.text[:200])
        except requests.RequestException as err:
            last = repr(err)
        time.sleep(0.25)
    raise AssertionError("container never answered health within %ss (last: %s)\n%s"
                         % (limit, last, _logs(name)))


def _wait_for_docker_healthy(name: str, limit: float = 45.0) -> None:
    deadline = time.monotonic() + limit
    status = None
    while time.monotonic() < deadline:
        proc = _run(["docker", "inspect", "--format", "{{.State.Health.Status}}", name], timeout=30)
        status = proc.stdout.strip()
        if status == "healthy":
            return
        assert status in ("starting", ""), "container health is %r\n%s" % (status, _logs(name))
        time.sleep(0.5)
    raise AssertionError("docker never reported the container healthy within %ss (last %r)\n%s"
                         % (limit, status, _logs(name)))


def test_image_is_healthy_and_serves_oauth_and_a_work_round_trip(container):
    name, base = container
    _wait_for_health(name, base)
    _wait_for_docker_healthy(name)

    http = requests.Session()
    # 1. The researcher authorizes (login_as skips the sign-in page): 302 back with a code.
    query = urllib.parse.urlencode({
        "client_id": CLIENT_ID, "response_type": "code",
        "scope": "/read-limited /activities/update", "redirect_uri": REDIRECT, "login_as": ORCID})
    r = http.get(base + "/oauth/authorize?" + query, allow_redirects=False, timeout=10)
    assert r.status_code == 302, (r.status_code, r.text[:500])
    location = r.headers["Location"]
    assert location.startswith(REDIRECT), location
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query).get("code")
    assert code, location

    # 2. The client exchanges it for a token.
    r = http.post(base + "/oauth/token", timeout=10, data={
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "grant_type": "authorization_code",
        "code": code[0], "redirect_uri": REDIRECT})
    assert r.status_code == 200, (r.status_code, r.text[:500])
    token = r.json()
    assert token["orcid"] == ORCID
    auth = {"Authorization": "Bearer " + token["access_token"]}

    # 3. Add a work in XML: 201, Location names the put-code.
    r = http.post(base + "/v3.0/%s/work" % ORCID, data=WORK_XML.encode(), timeout=10,
                  headers={**auth, "Content-Type": "application/vnd.orcid+xml"})
    assert r.status_code == 201, (r.status_code, r.text[:500])
    work_url = r.headers["Location"]
    prefix = base + "/v3.0/%s/work/" % ORCID
    assert work_url.startswith(prefix) and work_url[len(prefix):].isdigit(), work_url

    # 4. Read it back in JSON.
    r = http.get(work_url, timeout=10, headers={**auth, "Accept": "application/vnd.orcid+json"})
    assert r.status_code == 200, (r.status_code, r.text[:500])
    work = r.json()
    assert work["title"]["title"]["value"] == "Cracked pots in a container"
    assert str(work["put-code"]) == work_url.rsplit("/", 1)[1]


def test_docker_stop_ends_the_container_cleanly_and_at_once(container):
    """SIGTERM is handled: `docker stop` does not wait its 10 s and kill (exit 137)."""
    name, base = container
    _wait_for_health(name, base)
    started = time.monotonic()
    _run(["docker", "stop", "--time", "10", name], timeout=60)
    took = time.monotonic() - started
    code = _run(["docker", "inspect", "--format", "{{.State.ExitCode}}", name], timeout=30)
    assert code.stdout.strip() == "0", "exit code %s\n%s" % (code.stdout.strip(), _logs(name))
    assert took < 8, "docker stop took %.1f s (killed after the grace period?)" % took
