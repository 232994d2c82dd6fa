"""What each request no longer redoes gives the same answers as the work it replaces: the
journal formats an exchange when read, route matches and Accept answers are kept, token
values come from a pooled random source, and the token form's client id is read without
parsing the whole form."""
from __future__ import annotations

import collections
import random
import string
import urllib.parse
import uuid
from datetime import datetime, timezone

import pytest
from flask import Flask, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.test import EnvironBuilder

from mock_orcid.harness.identify import _form_value
from mock_orcid.harness.journal import Filters, Journal, Recorded, raw_headers
from mock_orcid.registry import secret_values
from mock_orcid.registry.errors import OrcidError
from mock_orcid.web import hot_path, negotiation

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _recorded(path="/oauth/token", status=200, **kw):
    environ = EnvironBuilder(path=path, method="POST", headers={
        "Authorization": "Bearer 0123456789abcdef", "Accept": "application/json",
        "X-Place": "caf\u00c3\u00a9"}, data=b"client_id=APP-1&client_secret=s3cr3t-value",
        content_type="application/x-www-form-urlencoded").get_environ()
    body = b'{"access_token":"tok-123456","token_type":"bearer"}'
    args = dict(method="POST", path=path, query="client_secret=abcdefgh", headers=raw_headers(environ),
                request_head=b"client_id=APP-1&client_secret=s3cr3t-value", request_size=42,
                request_type="application/x-www-form-urlencoded", status=status,
                response_headers=[("Content-Type", "application/json"),
                                  ("Set-Cookie", "session=abcdefghij")],
                response_out=bytearray(body), response_size=len(body), duration_ms=1.5,
                client_id="APP-1", orcid=None, fault=None, rate_limited=None, arrived=T0,
                body_limit=4096)
    args.update(kw)
    return Recorded(**args)


def test_a_journaled_exchange_is_redacted_and_named_when_read():
    journal = Journal(size=10)
    journal.add(_recorded())
    [entry] = journal.entries()
    data = entry.as_dict()
    assert data["id"] == 1 and data["time"] == T0.isoformat()
    assert data["request_headers"]["Authorization"] == "Bearer ****cdef"
    assert data["request_headers"]["Accept"] == "application/json"
    assert data["request_headers"]["X-Place"] == "caf\u00e9"       # WSGI latin-1 shown as UTF-8
    assert data["request_headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert data["request_body"]["text"] == "client_id=APP-1&client_secret=%2A%2A%2A%2Aalue"
    assert data["response_body"]["text"] == '{"access_token":"****3456","token_type":"bearer"}'
    assert data["response_headers"]["Set-Cookie"] == "****ghij"
    assert data["query"] == "client_secret=%2A%2A%2A%2Aefgh"
    assert journal.entries()[0] is entry          # formatted once


def test_journal_filters_and_ids_work_on_exchanges_not_yet_formatted():
    journal = Journal(size=3)
    for n in range(4):
        journal.add(_recorded(path="/p%d" % n, status=200 + n))
    assert [e.id for e in journal.entries()] == [2, 3, 4]
    assert [e.path for e in journal.entries(Filters(status=202))] == ["/p2"]
    assert [e.id for e in journal.entries(Filters(limit=1))] == [4]
    assert Journal(size=0).entries() == []


def test_the_clients_id_in_a_form_reads_as_parse_qs_reads_it():
    def reference(form):
        found = urllib.parse.parse_qs(form).get("client_id")
        return found[0] if found else None

    pieces = ["client_id", "client%5Fid", "client+id", "=", "&", "x", "%", "%2", "%41", "+",
              ";", "client_id=", "", "a=b", "\u00e9", "%ff", "APP-1"]
    rng = random.Random(7)
    for _ in range(20000):
        form = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _form_value(form, "client_id") == reference(form), form


def test_token_values_are_distinct_version_4_uuids():
    values = {secret_values.uuid4_text() for _ in range(5000)}
    assert len(values) == 5000
    for value in list(values)[:500]:
        parsed = uuid.UUID(value)
        assert str(parsed) == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_codes_use_every_character_of_their_alphabet_evenly():
    alphabet = string.ascii_letters + string.digits
    counts = collections.Counter("".join(secret_values.random_text(alphabet, 6)
                                         for _ in range(20000)))
    assert set(counts) == set(alphabet)
    assert max(counts.values()) < 1.25 * min(counts.values())
    assert len(secret_values.random_text("ab", 100)) == 100


def _app():
    app = Flask(__name__)
    app.url_map.strict_slashes = False

    @app.route("/v/<int:n>", methods=["GET"])
    def number(n):
        request.view_args["n"] = -1           # a view that changes its arguments
        return {"n": n}

    hot_path.install(app)
    return app


def test_a_kept_route_match_gives_every_request_its_own_arguments():
    app = _app()
    client = app.test_client()
    assert [client.get("/v/5").json["n"] for _ in range(3)] == [5, 5, 5]
    assert client.get("/v/x").status_code == 404
    assert client.post("/v/5").status_code == 405
    adapter = app.url_map.bind("localhost")
    with pytest.raises(NotFound):
        adapter.match("/nowhere")
    with pytest.raises(MethodNotAllowed):
        adapter.match("/v/5", "DELETE")


def test_a_rule_added_later_is_matched():
    from werkzeug.routing import Rule
    app = _app()
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/v/7") == ("number", {"n": 7})
    app.url_map.add(Rule("/v/7", endpoint="seven"))
    assert adapter.match("/v/7") == ("seven", {})


def test_the_accept_answer_is_the_same_the_second_time():
    app = Flask(__name__)
    for accept, expected in (("application/vnd.orcid+json; qs=4", "application/vnd.orcid+json"),
                             ("application/json, application/xml;q=0.5", "application/json"),
                             ("*/*", "application/vnd.orcid+xml")):
        for _ in range(2):
            with app.test_request_context(headers={"Accept": accept}):
                assert negotiation.response_type(request) == expected
    for _ in range(2):
        with app.test_request_context(headers={"Accept": "text/csv"}):
            with pytest.raises(OrcidError) as err:
                negotiation.response_type(request)
            assert err.value.status == 406 and "text/csv" in str(err.value)


def test_long_paths_and_accept_headers_are_answered_but_not_kept():
    app = _app()
    adapter = app.url_map.bind("localhost")
    long_path = "/v/" + "1" * (hot_path.MAX_PATH + 10)
    assert adapter.match(long_path)[1]["n"] == int("1" * (hot_path.MAX_PATH + 10))
    assert all(len(key[1]) <= hot_path.MAX_PATH for key in app.url_map._matcher._matches)
    accept = "application/vnd.orcid+json, " + ", ".join("x/y%d" % n for n in range(200))
    with Flask(__name__).test_request_context(headers={"Accept": accept}):
        assert negotiation.response_type(request) == "application/vnd.orcid+json"
    assert accept not in negotiation._CHOSEN
