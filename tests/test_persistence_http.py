"""--state-file: every committed write is on disk before its answer; a server killed with
SIGKILL starts again with every user, item, token and visibility; a reset compacts the log."""
from __future__ import annotations

import sqlite3
import urllib.parse

from xml.etree import ElementTree as ET

import requests

from mock_orcid.harness import codec
from harness_support import JOSIAH, JSON, ServeProcess, bearer, server

MEMBER = "APP-MOCKMEMBER000001"
SECRET = "mock-member-secret"
REDIRECT = "http://localhost/callback"


def _oauth_token(url: str, orcid: str, scopes="/read-limited /activities/update /person/update") -> dict:
    query = urllib.parse.urlencode({"client_id": MEMBER, "response_type": "code", "scope": scopes,
                                    "redirect_uri": REDIRECT, "login_as": orcid})
    r = requests.get(url + "/oauth/authorize?" + query, allow_redirects=False)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["Location"]).query)["code"][0]
    r = requests.post(url + "/oauth/token", data={
        "client_id": MEMBER, "client_secret": SECRET, "grant_type": "authorization_code",
        "code": code, "redirect_uri": REDIRECT}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def _work(title: str, doi: str) -> dict:
    return {"title": {"title": {"value": title}}, "type": "journal-article",
            "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value": doi,
                                              "external-id-relationship": "self"}]}}


def test_sigkill_after_writes_loses_nothing(tmp_path):
    state = str(tmp_path / "state.sqlite")
    first = ServeProcess("--state-file", state)
    try:
        url = first.url
        nova = requests.post(url + "/__admin/users", json={
            "given_names": "Nova", "family_name": "Kiln", "default_visibility": "public"}).json()
        client = requests.post(url + "/__admin/clients", json={
            "name": "Kiln CRIS", "type": "member", "redirect_uris": ["http://localhost"]}).json()
        token = _oauth_token(url, nova["orcid"])
        headers = bearer(token["access_token"], **{"Content-Type": JSON})
        r = requests.post("%s/v3.0/%s/work" % (url, nova["orcid"]), json=_work("Kept", "10.5555/k1"),
                          headers=headers)
        assert r.status_code == 201
        kept = int(r.headers["Location"].rsplit("/", 1)[1])
        r = requests.post("%s/v3.0/%s/work" % (url, nova["orcid"]), json=_work("Gone", "10.5555/k2"),
                          headers=headers)
        gone = int(r.headers["Location"].rsplit("/", 1)[1])
        assert requests.delete("%s/v3.0/%s/work/%d" % (url, nova["orcid"], gone),
                               headers=headers).status_code == 204
        r = requests.post("%s/v3.0/%s/keywords" % (url, nova["orcid"]), headers=headers,
                          json={"content": "kilns"})
        assert r.status_code == 201
        r = requests.patch("%s/__admin/users/%s/work/%d" % (url, nova["orcid"], kept),
                           json={"visibility": "limited"})
        assert r.status_code == 200
        r = requests.patch("%s/__admin/users/%s" % (url, JOSIAH), json={"state": "locked"})
        assert r.status_code == 200
        first.kill()    # right after the last answer: no shutdown hook, no flush

        second = ServeProcess("--state-file", state)
        try:
            url = second.url
            assert requests.get("%s/__admin/users/%s" % (url, nova["orcid"])).json()["family_name"] == "Kiln"
            assert requests.get("%s/__admin/clients/%s" % (url, client["client_id"])).json()[
                "client_secret"] == client["client_secret"]
            # The token from before the kill still works, and sees the limited work.
            r = requests.get("%s/v3.0/%s/works" % (url, nova["orcid"]), headers=bearer(token["access_token"]))
            assert r.status_code == 200, r.text
            summaries = [s for g in r.json()["group"] for s in g["work-summary"]]
            assert [(s["put-code"], s["visibility"], s["title"]["title"]["value"]) for s in summaries] \
                == [(kept, "limited", "Kept")]
            # The public API hides it: visibility survived, not only the item.
            r = requests.get("%s/pub/v3.0/%s/works" % (url, nova["orcid"]), headers={"Accept": JSON})
            assert r.json()["group"] == []
            r = requests.get("%s/v3.0/%s/keywords" % (url, nova["orcid"]), headers=bearer(token["access_token"]))
            assert [k["content"] for k in r.json()["keyword"]] == ["kilns"]
            assert requests.get("%s/__admin/users/%s" % (url, JOSIAH)).json()["state"] == "locked"
            # The refresh token too, and put-codes continue after the last one handed out.
            r = requests.post(url + "/oauth/token", data={
                "client_id": MEMBER, "client_secret": SECRET, "grant_type": "refresh_token",
                "refresh_token": token["refresh_token"]}, headers={"Accept": "application/json"})
            assert r.status_code == 200, r.text
            refreshed = r.json()["access_token"]
            r = requests.post("%s/v3.0/%s/work" % (url, nova["orcid"]), json=_work("New", "10.5555/k3"),
                              headers=bearer(refreshed, **{"Content-Type": JSON}))
            assert r.status_code == 201
            assert int(r.headers["Location"].rsplit("/", 1)[1]) == gone + 1
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_write_is_in_the_state_file_when_its_answer_arrives(tmp_path):
    state = tmp_path / "state.sqlite"
    with server(state_file=str(state)) as running:
        token = _oauth_token(running.url, JOSIAH)
        r = requests.post("%s/v3.0/%s/work" % (running.url, JOSIAH), json=_work("Durable", "10.5555/d"),
                          headers=bearer(token["access_token"], **{"Content-Type": JSON}))
        assert r.status_code == 201
        put_code = r.headers["Location"].rsplit("/", 1)[1]
        # Another connection, as a new process would open it, the moment the 201 is here.
        db = sqlite3.connect(str(state))
        try:
            rows = db.execute("SELECT payload FROM change_log WHERE kind='item' AND key=?",
                              ("%s/work/%s" % (JOSIAH, put_code),)).fetchall()
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            db.close()
        assert len(rows) == 1
        stored = codec.loads(rows[0][0])
        assert stored.put_code == int(put_code)
        assert "Durable" in ET.tostring(stored.body, encoding="unicode")
        assert mode == "wal"


def test_a_reset_compacts_the_log_and_survives_a_restart(tmp_path):
    state = str(tmp_path / "state.sqlite")
    with server(state_file=state) as running:
        for i in range(20):
            requests.post(running.url + "/__admin/users", json={"given_names": "Temp%d" % i})
        assert requests.post(running.url + "/__admin/reset").status_code == 200
    db = sqlite3.connect(state)
    try:
        kinds = dict(db.execute("SELECT kind, count(*) FROM change_log GROUP BY kind").fetchall())
    finally:
        db.close()
    assert kinds["record"] == 2 and kinds["client"] == 3    # the default fixtures, nothing else
    with server(state_file=state) as running:
        users = requests.get(running.url + "/__admin/users").json()
        assert sorted(u["given_names"] for u in users) == ["Ada", "Josiah"]


def test_without_a_state_file_nothing_is_kept(tmp_path):
    with server() as running:
        requests.post(running.url + "/__admin/users", json={"given_names": "Ephemeral"})
    with server() as running:
        names = [u["given_names"] for u in requests.get(running.url + "/__admin/users").json()]
        assert "Ephemeral" not in names
    assert list(tmp_path.iterdir()) == []
