"""The server process holds up against clients that misbehave at the HTTP level: huge uploads
are refused before they are read, idle or half-open connections cannot lock anyone out,
``Expect: 100-continue`` never hangs, and SIGTERM (``docker stop``) ends it cleanly with exit 0
after finishing the request in flight. Everything here goes over real sockets."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from xml.etree import ElementTree as ET

import pytest
import requests

from mock_orcid.server import RunningServer
from mock_orcid.settings import Settings

from http_helpers import ERROR_KEYS, ERROR_NS, make_env

MIB = 1024 * 1024


# ----------------------------------------------------------------------------- helpers
def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _connect(port: int, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def _read_response(sock: socket.socket) -> tuple[int, dict, bytes]:
    """One HTTP/1.1 response (Content-Length framed) from ``sock``; raises socket.timeout if
    the server does not answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed before a response: %r" % data[:300])
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body[:length]


def _request(method: str, path: str, port: int, headers: dict | None = None,
             body: bytes = b"") -> bytes:
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % port]
    lines += ["%s: %s" % kv for kv in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _own_server(**limits):
    server = RunningServer(Settings(host="127.0.0.1", port=0, **limits)).start()
    yield server
    server.stop()


@pytest.fixture
def small_server():
    """A server of its own with small limits, so the limits can be reached cheaply."""
    yield from _own_server(max_body_bytes=1000, connection_limit=20, idle_timeout=1)


@pytest.fixture
def patient_server():
    """Few connections, and idle ones kept for a minute: only making room admits newcomers."""
    yield from _own_server(connection_limit=20, idle_timeout=60)


# ------------------------------------------------------------------ 17: body size cap
def test_a_huge_upload_is_refused_with_an_orcid_413_before_the_body_is_sent(mock_orcid):
    """The 413 comes back from the headers alone: the server never waits for (or buffers)
    the 200 MB it was promised."""
    env = make_env(mock_orcid)
    port = _port(mock_orcid.url)
    with _connect(port) as sock:
        sock.sendall(_request("POST", "/v3.0/%s/work" % env.orcid, port, {
            "Authorization": "Bearer " + env.token, "Content-Type": "application/vnd.orcid+xml",
            "Content-Length": str(200 * MIB)}))
        status, headers, body = _read_response(sock)
    assert status == 413
    assert headers["content-type"].startswith("application/vnd.orcid+xml")
    error = ET.fromstring(body)
    assert error.tag == "{%s}error" % ERROR_NS
    assert error.findtext("{%s}response-code" % ERROR_NS) == "413"
    assert "8388608 bytes" in error.findtext("{%s}developer-message" % ERROR_NS)
    r = requests.get(env.member + "/works", headers={"Authorization": "Bearer " + env.token,
                                                       "Accept": "application/vnd.orcid+json"})
    assert r.json()["group"] == []


def test_a_chunked_upload_is_cut_off_at_the_cap_and_answered_in_json(mock_orcid):
    env = make_env(mock_orcid)
    sent = []

    def chunks():      # 64 MiB offered, one MiB at a time
        for _ in range(64):
            sent.append(1)
            yield b"{" * MIB
    r = requests.post(env.member + "/work", data=chunks(), timeout=30, headers={
        "Authorization": "Bearer " + env.token, "Content-Type": "application/vnd.orcid+json",
        "Accept": "application/vnd.orcid+json"})
    assert r.status_code == 413
    assert list(r.json()) == ERROR_KEYS and r.json()["response-code"] == 413


def test_the_body_cap_admits_exactly_its_size_and_refuses_one_byte_more(small_server):
    port = small_server.port
    url = small_server.url + "/__admin/users"
    at_cap = json.dumps({"given_names": "A" * 10}).encode()
    at_cap = at_cap[:-1] + b" " * (1000 - len(at_cap)) + b"}"
    assert len(at_cap) == 1000
    r = requests.post(url, data=at_cap, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    r = requests.post(url, data=at_cap + b" ", headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"error": "payload_too_large", "field": None,
                        "message": "The request body is larger than the limit of 1000 bytes"}
    # OAuth answers in its own JSON shape.
    r = requests.post(small_server.url + "/oauth/token", data={"client_id": "x" * 2000})
    assert r.status_code == 413 and r.json()["error"] == "request_entity_too_large"
    assert _port(small_server.url) == port


def test_a_refused_upload_leaves_the_server_serving_everyone_else(small_server):
    with _connect(small_server.port) as hog:
        hog.sendall(_request("POST", "/__admin/users", small_server.port,
                             {"Content-Type": "application/json",
                              "Content-Length": str(10 * MIB)}, b"{" * 4096))
        status, headers, _ = _read_response(hog)
        assert status == 413 and headers["connection"] == "close"
        r = requests.get(small_server.url + "/__admin/health", timeout=5)
        assert r.status_code == 200


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 300_000 + b"\r\n\r\n",
    b"POST /__admin/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
], ids=["request-line", "content-length", "huge-header", "chunk-size"])
def test_an_unparseable_request_is_answered_400_at_once(mock_orcid, raw):
    """What waitress cannot parse still gets an answer (not a hung socket)."""
    with _connect(_port(mock_orcid.url), timeout=5) as sock:
        sock.sendall(raw)
        status, _, _ = _read_response(sock)
    assert status in (400, 431)
    assert requests.get(mock_orcid.url + "/__admin/health", timeout=5).ok


# ------------------------------------------------------------- 18: connections, Expect
def test_expect_100_continue_without_a_body_is_answered_at_once(mock_orcid):
    port = _port(mock_orcid.url)
    with _connect(port, timeout=5) as sock:
        sock.sendall(_request("GET", "/__admin/health", port, {"Expect": "100-continue"}))
        status, _, body = _read_response(sock)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        # and the connection is still good for the next request
        sock.sendall(_request("GET", "/__admin/health", port))
        assert _read_response(sock)[0] == 200


def test_expect_100_continue_with_a_body_gets_continue_then_the_answer(mock_orcid):
    port = _port(mock_orcid.url)
    body = json.dumps({"given_names": "Continued"}).encode()
    with _connect(port, timeout=5) as sock:
        sock.sendall(_request("POST", "/__admin/users", port, {
            "Expect": "100-continue", "Content-Type": "application/json",
            "Content-Length": str(len(body))}))
        interim = sock.recv(100)
        assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        status, _, answer = _read_response(sock)
    assert status == 201 and json.loads(answer)["given_names"] == "Continued"


def test_expect_100_continue_with_a_body_over_the_cap_gets_413_not_continue(small_server):
    with _connect(small_server.port, timeout=5) as sock:
        sock.sendall(_request("POST", "/__admin/users", small_server.port, {
            "Expect": "100-continue", "Content-Type": "application/json",
            "Content-Length": str(10 * MIB)}))
        status, _, body = _read_response(sock)
    assert status == 413 and json.loads(body)["error"] == "payload_too_large"


def test_idle_keep_alive_connections_cannot_lock_out_a_new_client(patient_server):
    """The server allows 20 connections; 60 idle ones (some half-sent) are open. A new
    client is still served at once: the idlest connection is closed to make room."""
    small_server = patient_server
    port = small_server.port
    idle = []
    try:
        for i in range(60):
            sock = _connect(port)
            if i % 3 == 0:      # a keep-alive client that made one request and went quiet
                sock.sendall(_request("GET", "/__admin/health", port))
            elif i % 3 == 1:    # one that sent half a request line (slowloris)
                sock.sendall(b"GET /__admin/hea")
            idle.append(sock)
        r = requests.get(small_server.url + "/__admin/health", timeout=5)
        assert r.status_code == 200
        # several more newcomers in a row, each on a new connection
        for _ in range(5):
            with requests.Session() as fresh:
                assert fresh.get(small_server.url + "/__admin/health", timeout=5).ok
    finally:
        for sock in idle:
            sock.close()


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(small_server):
    port = small_server.port
    with _connect(port, timeout=15) as sock:
        sock.sendall(_request("GET", "/__admin/health", port))
        assert _read_response(sock)[0] == 200
        assert sock.recv(1) == b""       # closed by the server (idle_timeout=1), not hanging


# -------------------------------------------------------------------------- 19: SIGTERM
def _serve_command() -> list[str]:
    script = shutil.which("mock-orcid", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "mock_orcid"]


@pytest.fixture
def serve_process():
    proc = subprocess.Popen(_serve_command() + ["serve", "--host", "127.0.0.1", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        assert match, "no listening line: %r\n%s" % (line, proc.stderr.read() if
                                                       proc.poll() is not None else "")
        yield proc, int(match.group(1))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def _refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def test_sigterm_finishes_the_request_in_flight_and_exits_0_promptly(serve_process):
    proc, port = serve_process
    body = json.dumps({"given_names": "In", "family_name": "Flight"}).encode()
    keep_alive = _connect(port)           # an idle keep-alive client must not delay the exit
    keep_alive.sendall(_request("GET", "/__admin/health", port))
    assert _read_response(keep_alive)[0] == 200
    with _connect(port) as sock:
        sock.sendall(_request("POST", "/__admin/users", port, {
            "Content-Type": "application/json", "Content-Length": str(len(body))}) + body[:10])
        time.sleep(0.2)                   # the server has the first half of the request
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        while not _refuses_connections(port):     # the signal is being handled: no newcomers
            assert time.monotonic() < deadline, "still accepting connections after SIGTERM"
            time.sleep(0.05)
        sock.sendall(body[10:])
        status, _, answer = _read_response(sock)
    assert status == 201, answer
    assert json.loads(answer)["family_name"] == "Flight"
    assert keep_alive.recv(1) == b""      # closed by the server
    keep_alive.close()
    assert proc.wait(timeout=5) == 0
    assert time.monotonic() - started < 5
    assert "Traceback" not in proc.stderr.read()


def test_sigterm_on_an_idle_server_exits_0_at_once(serve_process):
    proc, port = serve_process
    assert requests.get("http://127.0.0.1:%d/__admin/health" % port, timeout=5).ok
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0
    assert "Traceback" not in proc.stderr.read()


def test_ctrl_c_stops_the_server_cleanly_too(serve_process):
    proc, _port = serve_process
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=5) == 0
    assert "Traceback" not in proc.stderr.read()
