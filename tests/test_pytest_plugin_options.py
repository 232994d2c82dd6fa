"""The pytest plugin's options: --mock-orcid-fixtures (and MOCK_ORCID_FIXTURES, and the ini
value), --mock-orcid-url to use a server that is already running, mock_orcid_clean resetting
before each test, and a bad fixture failing with its message, not a traceback."""
from __future__ import annotations

import pytest
import requests

from harness_support import EXAMPLE_FIXTURES, JOSIAH

INNER_READS_FIXTURE_WORK = """
import requests

def test_fixture_work(mock_orcid):
    r = requests.get("%s/v3.0/0000-0002-1825-0097/work/1000" % mock_orcid.url,
                     headers={"Authorization": "Bearer example-josiah-update-token",
                              "Accept": "application/vnd.orcid+json"})
    assert r.status_code == 200, r.text
    assert r.json()["title"]["title"]["value"].startswith("Cracked pots")
"""


def _passed(result, count=1):
    result.assert_outcomes(passed=count)


def test_the_fixtures_option_loads_a_fixtures_folder(pytester):
    pytester.makepyfile(INNER_READS_FIXTURE_WORK)
    _passed(pytester.runpytest_subprocess("--mock-orcid-fixtures", str(EXAMPLE_FIXTURES), "-p",
                                          "no:cacheprovider"))


def test_the_environment_variable_is_honoured(pytester, monkeypatch):
    monkeypatch.setenv("MOCK_ORCID_FIXTURES", str(EXAMPLE_FIXTURES))
    pytester.makepyfile(INNER_READS_FIXTURE_WORK)
    _passed(pytester.runpytest_subprocess("-p", "no:cacheprovider"))


def test_the_ini_value_is_relative_to_the_rootdir(pytester, monkeypatch):
    monkeypatch.delenv("MOCK_ORCID_FIXTURES", raising=False)
    import shutil
    shutil.copytree(EXAMPLE_FIXTURES, pytester.path / "seed")
    pytester.makeini("[pytest]\nmock_orcid_fixtures = seed\n")
    pytester.makepyfile(INNER_READS_FIXTURE_WORK)
    _passed(pytester.runpytest_subprocess("-p", "no:cacheprovider"))


def test_the_url_option_uses_a_running_server_instead_of_starting_one(pytester, mock_orcid_clean):
    pytester.makepyfile("""
        import requests

        def test_remote(mock_orcid):
            assert mock_orcid.url == %r
            mock_orcid.create_user(orcid="0000-0002-9079-593X", given_names="Remote")
    """ % mock_orcid_clean.url)
    _passed(pytester.runpytest_subprocess("--mock-orcid-url", mock_orcid_clean.url, "-p",
                                          "no:cacheprovider"))
    # The user was created here, in this session's server.
    r = requests.get(mock_orcid_clean.url + "/__admin/users/0000-0002-9079-593X")
    assert r.status_code == 200 and r.json()["given_names"] == "Remote"


def test_mock_orcid_clean_resets_before_each_test(pytester):
    pytester.makepyfile("""
        import requests

        def test_first(mock_orcid_clean):
            mock_orcid_clean.create_user(orcid="0000-0002-9079-593X", given_names="Leftover")

        def test_second(mock_orcid_clean):
            r = requests.get(mock_orcid_clean.url + "/__admin/users/0000-0002-9079-593X")
            assert r.status_code == 404
    """)
    _passed(pytester.runpytest_subprocess("-p", "no:cacheprovider"), 2)


def test_a_bad_fixture_fails_the_tests_with_its_message_and_no_traceback(pytester):
    (pytester.path / "bad.json").write_text('{"users": [{"orcid": "0000-0002-1825-0098"}]}')
    pytester.makepyfile("def test_x(mock_orcid):\n    pass\n")
    result = pytester.runpytest_subprocess("--mock-orcid-fixtures", "bad.json", "-p",
                                           "no:cacheprovider")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "bad.json: $.users[0].orcid" in out and "check digit" in out
    assert "Traceback" not in out and "raise FixtureError" not in out


@pytest.mark.parametrize("name", ["mock_orcid_clean", "mock_orcid_reroute"])
def test_the_per_test_fixtures_are_function_scoped(request, name):
    fixturedef = request._fixturemanager.getfixturedefs(name, request.node)[-1]
    assert fixturedef.scope == "function"


def test_default_user_is_there_after_a_clean(mock_orcid_clean):
    assert requests.get("%s/__admin/users/%s" % (mock_orcid_clean.url, JOSIAH)).status_code == 200
