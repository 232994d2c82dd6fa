import requests


def test_health_answers_ok(mock_orcid):
    r = requests.get(mock_orcid.url + "/__admin/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
