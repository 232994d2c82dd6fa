"""A search request as ORCID handles it: its checks on ``rows`` and ``start``, the query and
filter, Solr's ordering (score, then index order; or ``sort=``), the page, and what each
endpoint returns of a hit (the iD; expanded-search's names; csv-search's ``fl`` columns).

ORCID passes every query parameter on to Solr (the first value of each); ``fl`` is its own.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timezone

from ...registry.errors import OrcidError
from . import query as query_mod
from .fields import ALLOWED_FL, lookup
from .index import Doc, SearchIndex
from .query import SolrError

BAD_REQUEST = "The client application made a bad request to the ORCID API."
START_LIMIT_TEXT = ("The start parameter for API users without credentials must be an integer "
                    "between 0 and 10,000")
# (default rows, most rows) per API version (OrcidSearchManager, v3 and v2).
ROWS = {"3.0": (1000, 1000), "2.0": (100, 200), "2.1": (100, 200)}
MAX_ANONYMOUS_START = 10000
SORTABLE_EXTRA = ("score",)


@dataclass
class SearchRequest:
    params: dict[str, str]        # the first value of each query parameter
    version: str = "3.0"
    anonymous: bool = False       # the public API without a token: start is limited


@dataclass
class Results:
    num_found: int
    docs: list[Doc]


def check_paging(req: SearchRequest) -> tuple[int, str | None]:
    """ORCID's own checks (validateSearchParams): rows always, start only for anonymous
    public-API callers. Returns rows and the start text for Solr."""
    default_rows, max_rows = ROWS.get(req.version, ROWS["3.0"])
    rows_text = req.params.get("rows")
    if rows_text is None:
        rows = default_rows
    else:
        rows = _int_or_none(rows_text)
        if rows is None or not 0 <= rows <= max_rows:
            raise OrcidError(9012, "%s Full validation error: The rows parameter must be an "
                             "integer between 0 and %s" % (BAD_REQUEST, format(max_rows, ",")),
                             user_message=BAD_REQUEST)
    start_text = req.params.get("start")
    if req.anonymous and start_text is not None:
        start = _int_or_none(start_text)
        if start is None:
            raise OrcidError(9012, START_LIMIT_TEXT, user_message=START_LIMIT_TEXT)
        if not 0 <= start <= MAX_ANONYMOUS_START:
            raise OrcidError(9043, START_LIMIT_TEXT, user_message=START_LIMIT_TEXT)
    return rows, start_text


def run_search(index: SearchIndex, req: SearchRequest, now: datetime) -> Results:
    """Raises OrcidError for ORCID's own checks and SolrError for what Solr refuses."""
    rows, start_text = check_paging(req)
    start = _solr_start(start_text)
    params = req.params
    now = _now_param(params.get("NOW"), now)
    main = query_mod.build(params, now)
    fq = query_mod.filters(params, now)
    order = sort_spec(params.get("sort"))
    index.catch_up()
    with index.lock:
        scores = main.run(index) if main is not None else {}
        if fq is not None and scores:
            allowed = fq.run(index)
            scores = {k: v for k, v in scores.items() if k in allowed}
        total = len(scores)
        page = _page(index, scores, order, start, rows)
        docs = [index.docs[orcid] for orcid in page]
    return Results(total, docs)


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    if not text or not (text.isdigit() or (text[0] in "+-" and text[1:].isdigit())):
        return None
    value = int(text)
    return value if -2**31 <= value < 2**31 else None   # a Java int


def _solr_start(text: str | None) -> int:
    if text is None:
        return 0
    value = _int_or_none(text)
    if value is None:
        raise SolrError('java.lang.NumberFormatException: For input string: "%s"' % text)
    if value < 0:
        raise SolrError("'start' parameter cannot be negative")
    return value


def _now_param(text: str | None, now: datetime) -> datetime:
    """Solr's ``NOW`` request parameter (epoch milliseconds) pins NOW for date math."""
    if text is None:
        return now
    value = _int_or_none(text) if len(text) < 12 else (int(text) if text.strip().isdigit() else None)
    if value is None:
        raise SolrError('java.lang.NumberFormatException: For input string: "%s"' % text)
    try:
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise SolrError("Invalid NOW: %s" % text) from None


# ------------------------------------------------------------------ ordering
def sort_spec(text: str | None) -> list[tuple[str, bool]]:
    """``sort=profile-last-modified-date desc, orcid asc`` -> [(field, descending)]."""
    if text is None or not text.strip():
        return []
    out = []
    pos = 0
    for part in text.split(","):
        words = part.split()
        if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
            raise SolrError("Can't determine a Sort Order (asc or desc) in sort spec '%s', pos=%d"
                            % (text, pos + len(part)))
        name = words[0]
        if name != "score":
            fld = lookup(name)
            if fld is None:
                raise SolrError("sort param field can't be found: %s" % name)
            if fld.multi:
                raise SolrError("can not sort on multivalued field: %s" % name)
        out.append((name, words[1].lower() == "desc"))
        pos += len(part) + 1
    return out


def _page(index: SearchIndex, scores: dict[str, float], order, start: int, rows: int) -> list[str]:
    if not scores or rows == 0 or start >= len(scores):
        return []
    docs = index.docs
    wanted = start + rows
    if not order:
        # Score, then index order (Lucene's tie-break by document number).
        key = lambda k: (-scores[k], docs[k].seq)   # noqa: E731
        if wanted < len(scores) // 4:
            return heapq.nsmallest(wanted, scores, key=key)[start:]
        return sorted(scores, key=key)[start:wanted]
    ordered = sorted(scores, key=lambda k: docs[k].seq)
    for name, descending in reversed(order):
        ordered.sort(key=_sort_key(name, scores, docs), reverse=descending)
    return ordered[start:wanted]


def _sort_key(name: str, scores, docs):
    if name == "score":
        return lambda k: scores[k]

    def key(k):
        doc = docs[k]
        if name in doc.dates:
            return (1, doc.dates[name].isoformat())
        values = doc.stored.get(name)
        if not values:
            return (0, "")       # missing sorts lowest
        fld = lookup(name)
        return (1, values[0].lower() if fld.tokenized else values[0])
    return key


# ------------------------------------------------------------------ what a hit returns
def field_list(fl: str | None) -> list[str]:
    """csv-search's and expanded-search's ``fl``: split on "," (no trimming, as ORCID does),
    unknown names dropped, the caller's order kept; nothing left -> ORCID's default columns."""
    if fl is None:
        return list(ALLOWED_FL)
    chosen = list(dict.fromkeys(f for f in fl.split(",") if f in ALLOWED_FL))
    return chosen or list(ALLOWED_FL)


def expanded_result(doc: Doc, fl: list[str]) -> dict:
    stored = doc.stored

    def one(name):
        values = stored.get(name) if name in fl else None
        return values[0] if values else None

    def many(name):
        return list(stored.get(name, ())) if name in fl else []

    institutions = sorted(set(many("current-institution-affiliation-name")
                              + many("past-institution-affiliation-name")))
    return {
        "orcid-id": doc.orcid,
        "given-names": one("given-names"),
        "family-names": one("family-name"),
        "credit-name": one("credit-name"),
        "other-name": many("other-names"),
        "email": many("email"),
        "institution-name": institutions,
    }


def csv_row(doc: Doc, columns: list[str]) -> list[list[str]]:
    """Each column's values (given-and-family-names is not stored, so always empty)."""
    return [list(doc.stored.get(name, ())) for name in columns]
