"""The Docker image as a test double: `docker run image --help` (the CLI is the entry point), a
mounted fixtures folder, and a state volume that keeps users, items and tokens across a restart
and a kill."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid

import pytest
import requests

from harness_support import EXAMPLE_FIXTURES, EXAMPLE_TOKEN, JOSIAH, JSON, bearer
from test_docker import _free_port, _logs, _run, _wait_for_health, docker_image  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.docker]


def test_docker_run_image_help_is_the_clis_help(docker_image):  # noqa: F811
    out = _run(["docker", "run", "--rm", docker_image, "--help"], timeout=120).stdout
    assert "serve" in out and "fixtures" in out
    schema = _run(["docker", "run", "--rm", docker_image, "fixtures", "schema"], timeout=120).stdout
    assert '"title": "mock-orcid fixtures"' in schema


@pytest.fixture
def mounted_fixtures():
    # The container runs as uid 10001: the folder must be readable by it (pytest's tmp dirs
    # are 0700).
    folder = tempfile.mkdtemp(prefix="mock-orcid-fixtures-")
    try:
        shutil.copytree(EXAMPLE_FIXTURES, os.path.join(folder, "fixtures"))
        for root, dirs, files in os.walk(folder):
            os.chmod(root, 0o755)
            for name in files:
                os.chmod(os.path.join(root, name), 0o644)
        yield os.path.join(folder, "fixtures")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def state_volume():
    name = "mock-orcid-state-%s" % uuid.uuid4().hex[:10]
    _run(["docker", "volume", "create", name], timeout=60)
    try:
        yield name
    finally:
        subprocess.run(["docker", "volume", "rm", "-f", name], capture_output=True, timeout=60)


def test_mounted_fixtures_and_a_state_volume_survive_restart_and_kill(docker_image, mounted_fixtures,  # noqa: F811
                                                                      state_volume):
    port = _free_port()
    base = "http://127.0.0.1:%d" % port
    name = "mock-orcid-harness-%s" % uuid.uuid4().hex[:10]
    try:
        _run(["docker", "run", "-d", "--name", name, "-p", "127.0.0.1:%d:8080" % port,
              "-e", "MOCK_ORCID_BASE_URL=" + base,
              "-e", "MOCK_ORCID_FIXTURES=/fixtures", "-v", "%s:/fixtures:ro" % mounted_fixtures,
              "-e", "MOCK_ORCID_STATE_FILE=/data/state.sqlite", "-v", "%s:/data" % state_volume,
              docker_image], timeout=120)
        _wait_for_health(name, base)
        # The fixture's work, read with the fixture's pre-issued token.
        r = requests.get("%s/v3.0/%s/work/1000" % (base, JOSIAH), headers=bearer(EXAMPLE_TOKEN), timeout=10)
        assert r.status_code == 200, (r.text, _logs(name))
        # Writes: a user, a work through the API, a token from OAuth.
        user = requests.post(base + "/__admin/users", json={"given_names": "Docker"}, timeout=10).json()
        body = {"title": {"title": {"value": "Survives a restart"}}, "type": "book",
                "external-ids": {"external-id": [{"external-id-type": "doi",
                                                  "external-id-value": "10.5555/docker-state",
                                                  "external-id-relationship": "self"}]}}
        r = requests.post("%s/v3.0/%s/work" % (base, JOSIAH), json=body, timeout=10,
                          headers=bearer(EXAMPLE_TOKEN, **{"Content-Type": JSON}))
        assert r.status_code == 201, r.text
        work_url = r.headers["Location"]
        r = requests.post(base + "/oauth/token", timeout=10, headers={"Accept": "application/json"},
                          data={"client_id": "APP-EXAMPLEMEMBER001",
                                "client_secret": "example-member-secret",
                                "grant_type": "client_credentials", "scope": "/read-public"})
        cc_token = r.json()["access_token"]

        for how in (["docker", "restart", name], ["docker", "kill", "--signal", "KILL", name]):
            _run(how, timeout=120)
            if how[1] == "kill":
                _run(["docker", "start", name], timeout=120)
            _wait_for_health(name, base)
            assert requests.get("%s/__admin/users/%s" % (base, user["orcid"]), timeout=10).status_code == 200
            r = requests.get(work_url, headers=bearer(cc_token), timeout=10)
            assert r.status_code == 200, (how, r.text, _logs(name))
            assert r.json()["title"]["title"]["value"] == "Survives a restart"
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
