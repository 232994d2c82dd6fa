"""The server says what it serves: the index at / and /__admin, the OpenAPI document of
/__admin, --version, the start-up summary and access log, paged admin lists, and one shape for
every admin error."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests
from openapi_spec_validator import validate

from mock_orcid import __version__


@pytest.fixture
def url(mock_orcid):
    mock_orcid.reset()
    yield mock_orcid.url
    mock_orcid.reset()


def test_the_index_answers_json_to_a_client_and_html_to_a_browser(url, mock_orcid):
    for path in ("/", "/__admin"):
        data = requests.get(url + path).json()
        assert data["name"] == "mock-orcid" and data["version"] == __version__
        assert data["base_url"] == url
        assert data["served"]["member_api"] == url + "/v3.0"
        assert data["admin"]["openapi"] == url + "/__admin/openapi.json"
        assert data["loaded"]["users"] == len(mock_orcid.state.registry.records)
        assert {"method": "POST", "path": "/__admin/faults"} in [
            {k: r[k] for k in ("method", "path")} for r in data["admin"]["routes"]]
        page = requests.get(url + path, headers={"Accept": "text/html,*/*;q=0.8"})
        assert page.headers["Content-Type"].startswith("text/html")
        assert "/__admin/openapi.json" in page.text and "/__admin/requests" in page.text


def test_the_openapi_document_describes_every_admin_route(url, mock_orcid):
    doc = requests.get(url + "/__admin/openapi.json").json()
    validate(doc)
    described = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    served = set()
    for rule in mock_orcid.server.app.url_map.iter_rules():
        if rule.rule.startswith("/__admin"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served and described == served
    fault_body = doc["paths"]["/__admin/faults"]["post"]["requestBody"]
    assert "drop_connection" in fault_body["content"]["application/json"]["schema"]["properties"]
    assert all(op["summary"] for ops in doc["paths"].values() for op in ops.values())


def test_admin_lists_are_paged_with_a_link_to_the_next_page(url, mock_orcid):
    for _ in range(5):
        mock_orcid.create_user()
    everyone = requests.get(url + "/__admin/users?limit=1000").json()
    assert len(everyone) >= 5
    seen, next_url = [], url + "/__admin/users?limit=3"
    while next_url:
        resp = requests.get(next_url)
        assert resp.status_code == 200 and isinstance(resp.json(), list)
        assert len(resp.json()) <= 3
        seen += resp.json()
        next_url = resp.links.get("next", {}).get("url")
        if next_url:
            assert re.search(r"limit=3&offset=\d+", next_url)
    assert seen == everyone
    last = requests.get(url + "/__admin/users?limit=3&offset=%d" % (len(everyone) - 1))
    assert len(last.json()) == 1 and "Link" not in last.headers
    clients = requests.get(url + "/__admin/clients?limit=1")
    assert len(clients.json()) == 1 and 'rel="next"' in clients.headers["Link"]


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=abc", "limit"),
                                          ("offset=-1", "offset"), ("limit=1001", "limit")])
def test_bad_paging_is_400_with_the_field_named(url, query, field):
    resp = requests.get(url + "/__admin/users?" + query)
    assert resp.status_code == 400
    assert resp.json() == {"error": "bad_request", "message": resp.json()["message"],
                           "field": field}


def test_admin_errors_have_one_shape(url):
    answers = [requests.get(url + "/__admin/no-such-thing"),
               requests.get(url + "/__admin/users/0000-0000-0000-0000"),
               requests.post(url + "/__admin/users", data="[]"),
               requests.put(url + "/__admin/clock", json={}),
               requests.delete(url + "/__admin/faults/12345")]
    for resp in answers:
        assert resp.status_code in (400, 404, 405), resp.status_code
        assert set(resp.json()) == {"error", "message", "field"}, resp.text


def test_version_on_the_command_line():
    out = subprocess.run([sys.executable, "-m", "mock_orcid.cli", "--version"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "mock-orcid %s" % __version__


def test_serve_logs_a_startup_summary_and_a_line_per_request():
    proc = subprocess.Popen([sys.executable, "-m", "mock_orcid.cli", "serve", "--port", "0",
                             "--log-level", "info", "--journal-size", "7"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        base = re.search(r"base URL (\S+)\)", first).group(1)
        assert requests.get(base + "/pub/v3.0/0000-0002-1825-0097/works",
                            headers={"Accept": "application/json"}).status_code == 200
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=30)
    assert "mock-orcid %s" % __version__ in err
    assert "base URL   %s" % base in err
    assert re.search(r"fixtures .*: 2 user\(s\), \d+ client\(s\), 0 item\(s\)", err)
    assert "admin      %s/__admin" % base in err
    assert "journal    7 request(s)" in err
    assert re.search(r'"GET /pub/v3.0/0000-0002-1825-0097/works HTTP/1.1" 200 \d+ [\d.]+ms '
                     r'orcid=0000-0002-1825-0097', err)


def test_a_bad_log_level_is_refused_by_the_command_line():
    out = subprocess.run([sys.executable, "-m", "mock_orcid.cli", "serve", "--log-level",
                          "chatty"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--log-level" in out.stderr
