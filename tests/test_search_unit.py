"""The search index and query engine on their own (no HTTP): what is indexed from a record,
how the index follows the change stream, and how Lucene/Solr queries match, score and fail."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mock_orcid.registry import sections
from mock_orcid.registry.store import Registry
from mock_orcid.sync.search import analysis, datemath
from mock_orcid.sync.search.index import SearchIndex
from mock_orcid.sync.search.results import SearchRequest, run_search
from mock_orcid.sync.search.query import SolrError, min_should_match
from mock_orcid.wire import xmlio

NOW = datetime(2024, 3, 31, 15, 45, 30, 123000, tzinfo=timezone.utc)
C = 'xmlns:common="http://www.orcid.org/ns/common"'


def work(title, doi=None, extra_ids=(), subtitle=None):
    ids = list(extra_ids) + ([("doi", doi, "self")] if doi else [])
    ext = "".join("<common:external-id><common:external-id-type>%s</common:external-id-type>"
                  "<common:external-id-value>%s</common:external-id-value>"
                  "<common:external-id-relationship>%s</common:external-id-relationship>"
                  "</common:external-id>" % i for i in ids)
    sub = "<common:subtitle>%s</common:subtitle>" % subtitle if subtitle else ""
    return xmlio.parse((
        '<work:work %s xmlns:work="http://www.orcid.org/ns/work"><work:title>'
        '<common:title>%s</common:title>%s</work:title><work:type>journal-article</work:type>'
        '<common:external-ids>%s</common:external-ids></work:work>' % (C, title, sub, ext)).encode())


def keyword(text):
    return xmlio.parse(('<keyword:keyword %s xmlns:keyword="http://www.orcid.org/ns/keyword">'
                        '<keyword:content>%s</keyword:content></keyword:keyword>' % (C, text)).encode())


def employment(org, end_year=None, source="ROR", org_id="https://ror.org/05dxps055"):
    end = ("<common:end-date><common:year>%s</common:year></common:end-date>" % end_year
           if end_year else "")
    return xmlio.parse((
        '<employment:employment %s xmlns:employment="http://www.orcid.org/ns/employment">'
        '<common:start-date><common:year>1990</common:year></common:start-date>%s'
        '<common:organization><common:name>%s</common:name><common:address><common:city>X'
        '</common:city><common:country>US</common:country></common:address>'
        '<common:disambiguated-organization><common:disambiguated-organization-identifier>%s'
        '</common:disambiguated-organization-identifier><common:disambiguation-source>%s'
        '</common:disambiguation-source></common:disambiguated-organization></common:organization>'
        '</employment:employment>' % (C, end, org, org_id, source)).encode())


@pytest.fixture
def reg():
    registry = Registry()
    return registry


@pytest.fixture
def index(reg):
    ix = SearchIndex(reg)
    reg.subscribe(ix)
    return ix


def hits(ix, reg, q, **params):
    res = run_search(ix, SearchRequest(dict(q=q, **params)), reg.now())
    return [d.orcid for d in res.docs]


def found(ix, reg, q, **params):
    return set(hits(ix, reg, q, **params))


def add(reg, orcid, section, body, client="APP-TEST"):
    from mock_orcid.registry.model import Source
    return reg.add_item(orcid, sections.BY_NAME[section], body, Source(client_id=client, name="T"))


# ------------------------------------------------------------------ analysis and date math
@pytest.mark.parametrize("text, terms", [
    ("Josiah S. Carberry", ["josiah", "s", "carberry"]),
    ("josiah.carberry@example.org", ["josiah.carberry", "example.org"]),
    ("10.1087/20120404", ["10.1087", "20120404"]),
    ("A-1111-2011", ["a", "1111", "2011"]),
    ("https://ror.org/02mhbdp94", ["https", "ror.org", "02mhbdp94"]),
    ("O'Neil, 1,000 pots", ["o'neil", "1,000", "pots"]),
    ("---", []),
])
def test_text_is_split_and_lower_cased_like_solrs_standard_tokenizer(text, terms):
    assert analysis.tokens(text) == terms


def test_diacritic_folding_for_given_and_family_names():
    assert analysis.tokens("Bergström Ångel", "folded") == ["bergstrom", "angel"]


@pytest.mark.parametrize("expr, expected", [
    ("NOW", NOW),
    ("NOW-1DAY", NOW - timedelta(days=1)),
    ("NOW/DAY", datetime(2024, 3, 31, tzinfo=timezone.utc)),
    ("NOW-1MINUTE", NOW - timedelta(minutes=1)),
    ("NOW+1MONTH", datetime(2024, 4, 30, 15, 45, 30, 123000, tzinfo=timezone.utc)),   # clamped
    ("NOW-1YEAR/MONTH", datetime(2023, 3, 1, tzinfo=timezone.utc)),
    ("NOW+6MONTHS+3DAYS/DAY", datetime(2024, 10, 3, tzinfo=timezone.utc)),
    ("2018-01-01T00:00:00Z", datetime(2018, 1, 1, tzinfo=timezone.utc)),
    ("2018-01-01T00:00:00.5Z+1HOUR", datetime(2018, 1, 1, 1, 0, 0, 500000, tzinfo=timezone.utc)),
])
def test_solr_date_math(expr, expected):
    assert datemath.parse(expr, NOW) == expected


@pytest.mark.parametrize("expr", ["NOW-1day", "2018-01-01", "yesterday", "NOW-1FORTNIGHT",
                                  "2018-02-30T00:00:00Z", "NOW+99999999YEARS"])
def test_bad_dates_are_refused(expr):
    with pytest.raises(datemath.DateMathError):
        datemath.parse(expr, NOW)


@pytest.mark.parametrize("spec, optional, op, expected", [
    (None, 3, "", 0), (None, 3, "+", 3), ("1", 3, "", 1), ("-1", 3, "", 2), ("75%", 4, "", 3),
    ("-25%", 4, "", 3), ("2<-25% 9<-3", 2, "", 2), ("2<-25% 9<-3", 8, "", 6), ("5", 2, "", 2),
])
def test_minimum_should_match_as_solr_computes_it(spec, optional, op, expected):
    assert min_should_match(spec, optional, op) == expected


# ------------------------------------------------------------------ what is indexed
def test_only_public_data_is_indexed(reg, index):
    rec = reg.create_user(given_names="Vera", family_name="Hidden", email="vera@example.org",
                          biography="Secret biography words")
    add(reg, rec.orcid, "work", work("Public pots", "10.1/public"))
    private = add(reg, rec.orcid, "work", work("Private kettles", "10.1/private"))
    reg.set_item_visibility(rec.orcid, sections.BY_NAME["work"], private.put_code, "private")
    kw = add(reg, rec.orcid, "keywords", keyword("limitedword"))
    reg.set_item_visibility(rec.orcid, sections.BY_NAME["keywords"], kw.put_code, "limited")
    reg.add_email(rec.orcid, "secret@example.org", visibility="private")
    reg.add_email(rec.orcid, "unverified@example.org", verified=False, visibility="public")
    assert found(index, reg, "work-titles:pots") == {rec.orcid}
    for q in ("work-titles:kettles", "kettles", "keyword:limitedword", "limitedword",
              "email:secret@example.org", "email:unverified@example.org", "digital-object-ids:private"):
        assert found(index, reg, q) == set(), q
    reg.update_record(rec.orcid, name_visibility="limited", biography_visibility="private")
    for q in ("family-name:hidden", "hidden", "biography:secret", "given-and-family-names:vera"):
        assert found(index, reg, q) == set(), q
    # All private: still indexed with its iD and dates
    assert found(index, reg, "orcid:%s" % rec.orcid) == {rec.orcid}


def test_work_identifiers_fill_doi_self_part_of_and_old_way_fields(reg, index):
    rec = reg.create_user(given_names="Ida")
    add(reg, rec.orcid, "work", work("Ids", "10.1087/20120404",
                                     [("pmid", "12345", "self"), ("isbn", "978-3-16", "part-of"),
                                      ("ark", "ark:/1/2", "self"), ("doi", "10.5555/AbC", "part-of")]))
    o = {rec.orcid}
    assert found(index, reg, 'doi-self:"10.1087/20120404"') == o
    assert found(index, reg, "doi-self:10.1087\\/20120404") == o
    assert found(index, reg, "doi-part-of:10.5555\\/AbC") == o
    assert found(index, reg, "doi-part-of:10.5555\\/abc") == set()     # exact, case-sensitive
    assert found(index, reg, "digital-object-ids:abc") == o             # tokenized, any relationship
    assert found(index, reg, "digital-object-ids:10.1087") == o
    assert found(index, reg, "pmid-self:12345") == o
    assert found(index, reg, "pmid:12345") == o
    assert found(index, reg, 'isbn-part-of:"978-3-16"') == o
    assert found(index, reg, "isbn-self:*") == set()
    assert found(index, reg, 'other-identifier-type:"ark:/1/2"') == o
    assert found(index, reg, "doi-version-of:*") == set()          # never from works


def test_affiliations_split_into_current_and_past_at_index_time(reg, index):
    rec = reg.create_user(given_names="Cora")
    add(reg, rec.orcid, "employment", employment("Current University"))
    add(reg, rec.orcid, "employment", employment("Old College", end_year=2001, source="RINGGOLD",
                                                 org_id="385488"))
    add(reg, rec.orcid, "employment", employment("Funder Place", source="FUNDREF",
                                                 org_id="http://dx.doi.org/10.13039/1"))
    o = {rec.orcid}
    assert found(index, reg, 'current-institution-affiliation-name:"current university"') == o
    assert found(index, reg, "past-institution-affiliation-name:old") == o
    assert found(index, reg, "current-institution-affiliation-name:old") == set()
    assert found(index, reg, "affiliation-org-name:college") == o
    assert found(index, reg, 'ror-org-id:"https://ror.org/05dxps055"') == o
    assert found(index, reg, "ringgold-org-id:385488") == o
    assert found(index, reg, "fundref-org-id:*") == set()   # affiliations never fill fundref
    index.catch_up()
    doc = index.docs[rec.orcid]
    assert doc.stored["past-institution-affiliation-name"] == ["Old College"]


# ------------------------------------------------------------------ following the change stream
def test_a_write_reindexes_only_the_record_it_names(reg, index, monkeypatch):
    a = reg.create_user(given_names="Ann")
    b = reg.create_user(given_names="Bob")
    index.catch_up()
    seen = []
    original = index.reindex
    monkeypatch.setattr(index, "reindex", lambda orcid: (seen.append(orcid), original(orcid)))
    add(reg, a.orcid, "work", work("Alpha"))
    assert seen == []                      # a write only notes its record...
    assert found(index, reg, "alpha") == {a.orcid}
    assert seen == [a.orcid]               # ...the next search re-indexes it, and only it
    assert b.orcid in index.docs


def test_reset_empties_the_index(reg, index):
    reg.create_user(given_names="Zed")
    assert len(index) == 1
    reg.clear()
    assert len(index) == 0


def test_deprecated_locked_deactivated_and_fresh_unclaimed_records_leave_the_index(reg, index):
    keep = reg.create_user(given_names="Prime")
    for state in ("locked", "deactivated"):
        rec = reg.create_user(given_names="Gone")
        reg.update_record(rec.orcid, state=state)
        index.catch_up()
        assert rec.orcid not in index.docs, state
        reg.update_record(rec.orcid, state="active")
        index.catch_up()
        assert rec.orcid in index.docs, state
    old = reg.create_user(given_names="Old")
    reg.update_record(old.orcid, state="deprecated", primary_orcid=keep.orcid)
    index.catch_up()
    assert old.orcid not in index.docs
    fresh = reg.create_user(given_names="Fresh")
    reg.update_record(fresh.orcid, state="unclaimed", created_by_client="APP-X")
    index.catch_up()
    assert fresh.orcid not in index.docs


def test_an_item_unchanged_since_the_last_index_is_not_read_again(reg, index, monkeypatch):
    from mock_orcid.sync.search import documents
    rec = reg.create_user(given_names="Una")
    for n in range(5):
        add(reg, rec.orcid, "work", work("Work %d" % n, "10.1/%d" % n))
    index.catch_up()
    calls = []
    original = documents.item_values
    monkeypatch.setattr(documents, "item_values", lambda item, today: (calls.append(item.put_code),
                                                                        original(item, today))[1])
    add(reg, rec.orcid, "work", work("Sixth", "10.1/6"))
    index.catch_up()
    assert len(calls) == 1


def test_a_listener_batch_with_reset_then_users_indexes_the_users():
    reg = Registry()
    ix = SearchIndex(reg)
    reg.subscribe(ix)
    with reg.lock:
        reg.create_user(given_names="Before")
        reg.clear()
        rec = reg.create_user(given_names="After")
    ix.catch_up()
    assert list(ix.docs) == [rec.orcid]


# ------------------------------------------------------------------ query syntax and scoring
@pytest.fixture
def people(reg, index):
    recs = {}
    for given, family, title in (("Josiah", "Carberry", "Cracked pots and kettles"),
                                 ("Ada", "Quill", "Kettles of the world"),
                                 ("Bo", "Bergström", "Pots, pans and pots again")):
        rec = reg.create_user(given_names=given, family_name=family,
                              email="%s@%s.example.org" % (given.lower(), family.lower()))
        add(reg, rec.orcid, "work", work(title, "10.5555/%s" % given.lower()))
        recs[given] = rec.orcid
    return recs


@pytest.mark.parametrize("q, who", [
    ("pots", {"Josiah", "Bo"}),
    ("pots kettles", {"Josiah", "Ada", "Bo"}),
    ("pots AND kettles", {"Josiah"}),
    ("pots && kettles", {"Josiah"}),
    ("pots OR quill", {"Josiah", "Bo", "Ada"}),
    ("+pots -kettles", {"Bo"}),
    ("pots NOT kettles", {"Bo"}),
    ("pots !kettles", {"Bo"}),
    ("-pots", {"Ada"}),
    ("NOT pots", {"Ada"}),
    ("kettles AND (-pots)", set()),                 # a group of exclusions only matches nothing
    ("(pots OR quill) AND family-name:carberry", {"Josiah"}),
    ("work-titles:(pans AND again)", {"Bo"}),
    ('work-titles:"cracked pots"', {"Josiah"}),
    ('work-titles:"pots cracked"', set()),
    ('work-titles:"cracked kettles"~2', {"Josiah"}),
    ("given-names:jos*", {"Josiah"}),
    ("given-names:J?siah", {"Josiah"}),
    ("email:*@quill.example.org", {"Ada"}),
    ("email:*@QUILL.example.org", set()),
    ("family-name:/qu.l+/", {"Ada"}),
    ("family-name:carbery~", {"Josiah"}),
    ("family-name:carbery~1", {"Josiah"}),
    ("family-name:[a TO d]", {"Josiah", "Bo"}),
    ("family-name:[a TO c]", {"Bo"}),
    ("family-name:{carberry TO quill]", {"Ada"}),
    ("given-and-family-names:bergstrom", {"Bo"}),
    ("given-and-family-names:\"bo bergstrom\"", {"Bo"}),
    ("*:*", {"Josiah", "Ada", "Bo"}),
    ("credit-name:*", set()),
    ("given-names:[* TO *]", {"Josiah", "Ada", "Bo"}),
    ("profile-last-modified-date:[NOW-1MINUTE TO *]", {"Josiah", "Ada", "Bo"}),
    ("profile-submission-date:[* TO NOW-1DAY]", set()),
    ("profile-last-modified-date:{* TO NOW+1DAY/DAY}", {"Josiah", "Ada", "Bo"}),
    ("doi-self:10.5555\\/ada", {"Ada"}),
    ("ORCID-IS-NOT-HERE", set()),
])
def test_lucene_syntax(reg, index, people, q, who):
    assert found(index, reg, q) == {people[w] for w in who}


def test_bare_terms_rank_by_relevance_with_a_stable_tie_order(reg, index, people):
    order = hits(index, reg, "pots")
    assert order == [people["Bo"], people["Josiah"]]     # "pots" twice beats once
    assert hits(index, reg, "pots^0.1 carberry^10")[0] == people["Josiah"]
    # equal scores keep index order, run after run
    assert hits(index, reg, "*:*") == hits(index, reg, "*:*") == [people["Josiah"], people["Ada"],
                                                                   people["Bo"]]


def test_edismax_searches_bare_words_in_qf_fields(reg, index, people):
    q = dict(defType="edismax", qf="given-names^2 family-name")
    assert found(index, reg, "ada", **q) == {people["Ada"]}
    assert found(index, reg, "kettles", **q) == set()       # not in a qf field
    assert found(index, reg, "ada carberry", **q) == {people["Ada"], people["Josiah"]}
    assert found(index, reg, "ada carberry", mm="2", **q) == set()
    assert found(index, reg, "ada carberry", **{"q.op": "AND"}, **q) == set()
    assert found(index, reg, "nosuchfield:x ada", **q) == {people["Ada"]}   # no 500 in edismax
    assert found(index, reg, "ada (", **q) == {people["Ada"]}               # tolerant of syntax
    local = '{!edismax qf="given-and-family-names^50.0 family-name^10.0 text^1.0" mm=1 ' \
            'bq="family-name:quill^100"}bo pots'
    assert hits(index, reg, local)[0] == people["Bo"]
    assert found(index, reg, local) == {people["Bo"], people["Josiah"]}


def test_sort_and_paging(reg, index, people):
    by_name = hits(index, reg, "*:*", sort="family-name asc")
    assert by_name == [people["Bo"], people["Josiah"], people["Ada"]]
    newest = hits(index, reg, "*:*", sort="profile-last-modified-date desc")
    assert newest == [people["Bo"], people["Ada"], people["Josiah"]]
    res = run_search(index, SearchRequest(dict(q="*:*", start="1", rows="1")), reg.now())
    assert res.num_found == 3 and [d.orcid for d in res.docs] == [people["Ada"]]
    res = run_search(index, SearchRequest(dict(q="*:*", start="5")), reg.now())
    assert res.num_found == 3 and res.docs == []


@pytest.mark.parametrize("params, message", [
    (dict(q="foo:bar"), "undefined field foo"),
    (dict(q="family-name:("), "SyntaxError: Cannot parse"),
    (dict(q="doi-self:10.1/x"), "SyntaxError"),
    (dict(q='"unterminated'), "SyntaxError"),
    (dict(q="family-name:/[a/"), "invalid regular expression"),
    (dict(q="profile-last-modified-date:[NOW-1day TO *]"), "Invalid Date Math String"),
    (dict(q="profile-last-modified-date:2024*"), "numeric"),
    (dict(q="*:*", sort="family-name"), "Can't determine a Sort Order"),
    (dict(q="*:*", sort="nope asc"), "sort param field can't be found: nope"),
    (dict(q="*:*", sort="email asc"), "can not sort on multivalued field: email"),
    (dict(q="x", defType="nope"), "Unknown query parser 'nope'"),
    (dict(q="x", defType="edismax", qf="nope"), "undefined field nope"),
    (dict(q="x", start="ten"), "NumberFormatException"),
    (dict(q="x", start="-1"), "cannot be negative"),
    (dict(q=" OR ".join(["a"] * 1100)), "maxClauseCount"),
    (dict(q="(" * 3000 + "a" + ")" * 3000), "SyntaxError"),
])
def test_what_solr_refuses_raises_solr_error(reg, index, people, params, message):
    with pytest.raises(SolrError) as err:
        run_search(index, SearchRequest(params), reg.now())
    assert message in str(err.value)


def test_regular_expressions_and_wildcards_cannot_freeze_the_index(reg, index):
    rec = reg.create_user(given_names="a" * 200)
    assert found(index, reg, "given-names:/(a+)+b/") == set()
    assert found(index, reg, "given-names:*a*a*a*a*a*a*a*a*a*a*b") == set()
    assert found(index, reg, "given-names:a*") == {rec.orcid}


@pytest.mark.parametrize("q, hit", [
    ('biography:"cracked pots"', True),
    ('biography:"pots cracked"', False),
    ('biography:"pots cracked"~1', False),
    ('biography:"pots cracked"~2', True),           # a swap costs two, as in Lucene
    ('biography:"cracked kettles"~2', False),
    ('biography:"cracked kettles"~3', True),
    ('biography:"cracked kettles"~2147483647', True),
    ('biography:"%s"~9' % " ".join(["kettles"] * 6), False),   # more words than the value has
])
def test_sloppy_phrases_allow_each_word_slop_places_off(reg, index, q, hit):
    rec = reg.create_user(given_names="Slop", biography="cracked pots and old kettles")
    assert (rec.orcid in found(index, reg, q)) is hit


def test_a_long_phrase_of_repeated_words_cannot_freeze_the_index(reg, index):
    # Position lists are bit sets: a phrase of thousands of repeats against a value of
    # thousands of repeats is a few big-int operations per word, not a search per position.
    rec = reg.create_user(given_names="Rep", biography=" ".join(["x"] * 2500))
    assert found(index, reg, 'biography:"%s"~1' % " ".join(["x"] * 2000)) == {rec.orcid}
    assert found(index, reg, 'biography:"%s"' % " ".join(["x"] * 2500)) == {rec.orcid}
    assert found(index, reg, 'biography:"%s"~5' % " ".join(["x"] * 2501)) == set()


def test_fuzzy_terms_expand_to_the_50_nearest_terms_as_lucene_does(reg, index):
    letters = "abcdefghijklmnopqrstuvwxyz"
    exact = reg.create_user(family_name="Smith").orcid
    one_edit = {reg.create_user(family_name="Smith" + c).orcid for c in letters}          # 26
    two_edits = {reg.create_user(family_name="Smith" + c + c).orcid for c in letters}     # 26
    got = found(index, reg, "family-name:smith~2")
    assert len(got) == 50
    assert {exact} | one_edit <= got and len(got & two_edits) == 23
    assert found(index, reg, "family-name:smith~1") == {exact} | one_edit
    assert found(index, reg, "family-name:simth~1") == {exact}       # a swap is one edit


def test_wildcards_match_exactly_the_terms_a_glob_would():
    # Wildcard patterns are compiled so they cannot backtrack; they must still mean what they say.
    import fnmatch
    import random
    import re
    from mock_orcid.sync.search.fields import STRING, Field
    from mock_orcid.sync.search.query import _wildcard_regex
    rng = random.Random(10)
    fld = Field("email", STRING)
    for _ in range(5000):
        pat = "".join(rng.choice("ab*?") for _ in range(rng.randint(1, 7)))
        term = "".join(rng.choice("ab") for _ in range(rng.randint(0, 8)))
        ours = re.compile(_wildcard_regex(pat, fld)).fullmatch(term) is not None
        assert ours == fnmatch.fnmatchcase(term, pat), (pat, term)
