"""Lucene/Solr query parsing, as ORCID's Solr does it, on top of luqum's Lucene grammar.

Standard parser (``defType`` absent or ``lucene``): fields, bare terms on the default field
``text`` (``df``), operator OR (``q.op``), phrases, AND/OR/NOT, ``&&``/``||``/``!``, ``+``/``-``,
grouping, boosts, wildcards, regular expressions, fuzzy terms, proximity, ranges with Solr date
math, ``*:*``. A field the schema does not define is an error, as is a broken query; both raise
``SolrError``, which ORCID answers with 500 and code 9008.

eDisMax (``defType=edismax`` or ``dismax``, or ``{!edismax …}`` local params, as ORCID's own UI
and rorcid send): bare terms are searched in every ``qf`` field (best field wins, plus ``tie``),
``mm`` sets how many optional clauses must match, ``pf`` and ``bq`` add score; a query it cannot
parse is searched as plain words, and ``name:value`` with an undefined ``name`` as text.
"""
from __future__ import annotations

import re
import re as _re
from dataclasses import dataclass, field
from datetime import datetime

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser as _luqum

from . import analysis, datemath
from .fields import DATE, DEFAULT_FIELD, STRING, Field, lookup
from .scoring import (
    MUST, MUST_NOT, SHOULD, Boolean, Boosted, DateRange, DisMax, Exists, Fuzzy, MatchAll,
    NoMatch, Phrase, Query, Term, TermSet, pattern, term_range, wildcard,
)

MAX_CLAUSES = 1024         # Lucene's maxBooleanClauses
MAX_QUERY_CHARS = 65536
PARSERS = ("lucene", "edismax", "dismax")


class SolrError(Exception):
    """What Solr answers a bad request with; ORCID passes it on as 500/9008."""


def syntax_error(q: str, why: str) -> SolrError:
    return SolrError("org.apache.solr.search.SyntaxError: Cannot parse '%s': %s" % (q, why))


@dataclass
class Options:
    now: datetime
    df: str = DEFAULT_FIELD
    op: str = SHOULD                  # what a clause without +/-/AND/OR is
    edismax: bool = False
    qf: list[tuple[str, float]] = field(default_factory=list)
    tie: float = 0.0
    clauses: int = 0


# ------------------------------------------------------------------ request -> query
def build(params: dict[str, str], now: datetime) -> Query | None:
    """The main query of a request, or None when there is none (no q: nothing matches)."""
    q = params.get("q")
    local: dict[str, str] = {}
    if q is not None and q.startswith("{!"):
        local, q = local_params(q)
        if "v" in local:
            q = local["v"]
    merged = dict(params)
    merged.update(local)
    def_type = local.get("type") or params.get("defType") or "lucene"
    if def_type not in PARSERS:
        raise SolrError("Unknown query parser '%s'" % def_type)
    if q is None or not q.strip():
        return None
    if len(q) > MAX_QUERY_CHARS:
        raise SolrError("query too long: %d characters" % len(q))
    opts = options(merged, now, edismax=def_type != "lucene")
    if not opts.edismax:
        return parse(q, opts)
    return edismax(q, merged, opts)


def filters(params: dict[str, str], now: datetime) -> Query | None:
    fq = params.get("fq")
    if not fq or not fq.strip():
        return None
    local: dict[str, str] = {}
    if fq.startswith("{!"):
        local, fq = local_params(fq)
    return parse(fq, options({**params, **local}, now, edismax=False))


def options(params: dict[str, str], now: datetime, edismax: bool) -> Options:
    df = params.get("df") or DEFAULT_FIELD
    if lookup(df) is None:
        raise SolrError("undefined field %s" % df)
    op = MUST if (params.get("q.op") or "").upper() == "AND" else SHOULD
    opts = Options(now=now, df=df, op=op, edismax=edismax)
    if edismax:
        opts.qf = boosted_fields(params.get("qf")) or [(df, 1.0)]
        try:
            opts.tie = float(params.get("tie") or 0.0)
        except ValueError:
            raise SolrError("For input string: \"%s\"" % params.get("tie")) from None
    return opts


def boosted_fields(spec: str | None) -> list[tuple[str, float]]:
    """``qf``/``pf``: "given-and-family-names^50.0 family-name^10.0 text"."""
    out = []
    for part in (spec or "").split():
        name, _, boost = part.partition("^")
        if lookup(name) is None:
            raise SolrError("undefined field %s" % name)
        try:
            out.append((name, float(boost) if boost else 1.0))
        except ValueError:
            raise SolrError("For input string: \"%s\"" % boost) from None
    return out


_LOCAL = re.compile(r"""\s*([\w.]+)(?:=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s}]*))?""")


def local_params(q: str) -> tuple[dict[str, str], str]:
    """``{!edismax qf="a^2 b" mm=1}terms`` -> ({"type": "edismax", "qf": "a^2 b", "mm": "1"}, "terms")."""
    pos = 2
    out: dict[str, str] = {}
    first = True
    while True:
        while pos < len(q) and q[pos].isspace():
            pos += 1
        if pos >= len(q):
            raise syntax_error(q, "Expected ending character '}' parsing local params")
        if q[pos] == "}":
            return out, q[pos + 1:]
        m = _LOCAL.match(q, pos)
        if not m or m.end() == pos:
            raise syntax_error(q, "Expected identifier at pos %d" % pos)
        key, value = m.group(1), m.group(2)
        if value is None:
            if not first:
                raise syntax_error(q, "Expected '=' after '%s'" % key)
            out["type"] = key
        else:
            if value[:1] in ("'", '"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            out[key] = value
        first = False
        pos = m.end()


# ------------------------------------------------------------------ the standard parser
def parse(q: str, opts: Options) -> Query:
    try:
        node = _luqum.parse(q)
    except ParseError as exc:
        raise syntax_error(q, str(exc)) from None
    except RecursionError:
        raise syntax_error(q, "too deeply nested") from None
    try:
        return top(convert(node, None, opts))
    except RecursionError:
        raise syntax_error(q, "too deeply nested") from None


def top(query: Query) -> Query:
    """Solr's fix for a purely negative query at the top: everything except those."""
    if isinstance(query, Boolean) and query.clauses and all(o == MUST_NOT for o, _ in query.clauses):
        query.clauses.insert(0, (MUST, MatchAll()))
    return query


def _count(opts: Options) -> None:
    opts.clauses += 1
    if opts.clauses > MAX_CLAUSES:
        raise SolrError("org.apache.lucene.search.IndexSearcher$TooManyClauses: "
                        "maxClauseCount is set to %d" % MAX_CLAUSES)


def convert(node, fld: str | None, opts: Options) -> Query:
    if isinstance(node, tree.SearchField):
        return _search_field(node, fld, opts)
    if isinstance(node, (tree.Group, tree.FieldGroup)):
        return convert(node.expr, fld, opts)
    if isinstance(node, (tree.AndOperation, tree.OrOperation, tree.UnknownOperation)):
        return _boolean(node, fld, opts)
    if isinstance(node, (tree.Not, tree.Prohibit)):
        _count(opts)
        return Boolean([(MUST_NOT, convert(node.a, fld, opts))])
    if isinstance(node, tree.Plus):
        return convert(node.a, fld, opts)
    if isinstance(node, tree.Boost):
        query = convert(node.expr, fld, opts)
        try:
            query.boost *= float(node.force)
        except (TypeError, ValueError):
            raise SolrError("invalid boost %r" % node.force) from None
        return query
    _count(opts)
    if fld is None and opts.edismax:
        return _dismax(node, opts)
    return leaf(node, _field(fld or opts.df), opts)


def _search_field(node: tree.SearchField, outer: str | None, opts: Options) -> Query:
    name = _unescape(node.name)
    if outer is not None and not opts.edismax:
        raise syntax_error(str(node), "a field inside field '%s'" % outer)
    if name == "*" and isinstance(node.expr, tree.Word) and node.expr.value == "*":
        return MatchAll()
    if lookup(name) is None:
        if opts.edismax:   # edismax searches an unknown "name:value" as text
            _count(opts)
            return _dismax(tree.Word(_escape_colon("%s:%s" % (node.name, node.expr))), opts)
        raise SolrError("undefined field %s" % name)
    return convert(node.expr, name, opts)


def _boolean(node, fld, opts) -> Query:
    default = {tree.AndOperation: MUST, tree.OrOperation: SHOULD}.get(type(node), opts.op)
    clauses: list[list] = []
    conj = None
    for child in node.children:
        if isinstance(child, tree.Word) and child.value in ("&&", "||"):
            conj = MUST if child.value == "&&" else SHOULD
            if clauses and clauses[-1][0] != MUST_NOT:
                clauses[-1][0] = conj if conj == MUST else SHOULD
            continue
        if isinstance(child, tree.Word) and child.value.startswith("!") and len(child.value) > 1:
            child = tree.Not(tree.Word(child.value[1:]))
        if isinstance(child, (tree.Not, tree.Prohibit)):
            occur, inner = MUST_NOT, child.a
        elif isinstance(child, tree.Plus):
            occur, inner = MUST, child.a
        else:
            occur, inner = (conj if conj is not None else default), child
        conj = None
        clauses.append([occur, convert(inner, fld, opts)])
    return Boolean([(o, q) for o, q in clauses])


def _field(name: str) -> Field:
    found = lookup(name)
    if found is None:
        raise SolrError("undefined field %s" % name)
    return found


def _dismax(node, opts: Options) -> Query:
    queries = []
    for name, boost in opts.qf:
        try:
            q = leaf(node, _field(name), opts)
        except SolrError:
            continue      # a value one qf field cannot take (a date) does not sink the others
        q.boost *= boost
        queries.append(q)
    if not queries:
        return NoMatch()
    return queries[0] if len(queries) == 1 else DisMax(queries, opts.tie)


# ------------------------------------------------------------------ leaves
def leaf(node, fld: Field, opts: Options) -> Query:
    if isinstance(node, tree.Word):
        return word(node.value, fld, opts)
    if isinstance(node, tree.Proximity):
        return phrase(node.term.value, fld, opts, slop=int(node.degree or 0))
    if isinstance(node, tree.Phrase):
        return phrase(node.value, fld, opts)
    if isinstance(node, tree.Regex):
        return regex(node.value, fld)
    if isinstance(node, tree.Fuzzy):
        return fuzzy(node, fld)
    if isinstance(node, tree.Range):
        return range_query(node.low, node.high, node.include_low, node.include_high, fld, opts)
    if isinstance(node, (tree.From, tree.To)):
        # Not Lucene syntax: the classic parser reads ">x" as the term itself.
        return word(str(node), fld, opts)
    raise syntax_error(str(node), "unsupported construct %s" % type(node).__name__)


_UNESCAPED_SLASH = re.compile(r"(?<!\\)(?:\\\\)*/")


def word(raw: str, fld: Field, opts: Options) -> Query:
    if "/" in raw and _UNESCAPED_SLASH.search(raw) and not opts.edismax:
        # Lucene starts a regular expression at an unescaped "/": "10.1/x" does not parse.
        raise syntax_error(raw, "Lexical error: an unescaped '/' starts a regular expression "
                                "that is never closed")
    if raw == "*":
        return Exists(fld.name)
    wild = _has_wildcard(raw)
    if fld.type == DATE:
        if wild:
            raise SolrError("Can't run prefix queries on numeric fields")
        when = _date(_unescape(raw), opts)
        return DateRange(fld.name, when, when)
    if wild:
        return TermSet(fld.name, wildcard(_wildcard_regex(raw, fld)))
    text = _unescape(raw)
    if fld.type == STRING:
        return Term(fld.name, text)
    return _analysed(text, fld, opts)


def _analysed(text: str, fld: Field, opts: Options) -> Query:
    toks = analysis.tokens(text, fld.type)
    if not toks:
        return NoMatch()
    if len(toks) == 1:
        return Term(fld.name, toks[0])
    # One query word, several terms: Lucene's QueryBuilder joins them with the default operator.
    return Boolean([(opts.op, Term(fld.name, t)) for t in toks])


def phrase(raw: str, fld: Field, opts: Options, slop: int = 0) -> Query:
    text = _unescape(raw[1:-1] if raw.startswith('"') and raw.endswith('"') and len(raw) > 1 else raw)
    if fld.type == DATE:
        when = _date(text, opts)
        return DateRange(fld.name, when, when)
    if fld.type == STRING:
        return Term(fld.name, text)
    toks = analysis.tokens(text, fld.type)
    if not toks:
        return NoMatch()
    if len(toks) == 1:
        return Term(fld.name, toks[0])
    return Phrase(fld.name, toks, slop)


def regex(raw: str, fld: Field) -> Query:
    if fld.type == DATE:
        raise SolrError("Can't run regexp queries on numeric fields")
    body = raw[1:-1] if len(raw) >= 2 and raw.startswith("/") and raw.endswith("/") else raw
    try:
        return TermSet(fld.name, pattern(_lucene_regex(body, fld)))
    except Exception as exc:   # RE2 refuses it: Lucene would too
        raise SolrError("org.apache.lucene.util.automaton: invalid regular expression '%s': %s"
                        % (body, exc)) from None


def fuzzy(node: tree.Fuzzy, fld: Field) -> Query:
    if fld.type == DATE:
        raise SolrError("Can't run fuzzy queries on numeric fields")
    text = analysis.multiterm(_unescape(node.term.value), fld.type)
    degree = node.degree
    if getattr(node, "_implicit_degree", False) or degree is None:
        edits = 2
    elif float(degree) >= 1:
        edits = int(float(degree))
        if edits > 2:
            raise SolrError("maxEdits must be between 0 and 2")
    else:
        edits = min(int((1 - float(degree)) * len(text)), 2)
    return Fuzzy(fld.name, text, edits)


def range_query(low, high, include_low, include_high, fld: Field, opts: Options) -> Query:
    def bound(node):
        raw = node.value
        if isinstance(node, tree.Phrase):
            return _unescape(raw[1:-1])
        return None if raw == "*" else _unescape(raw)
    lo, hi = bound(low), bound(high)
    if lo is None and hi is None:
        return Exists(fld.name)
    if fld.type == DATE:
        return DateRange(fld.name, _date(lo, opts) if lo is not None else None,
                         _date(hi, opts) if hi is not None else None, include_low, include_high)
    lo = analysis.multiterm(lo, fld.type) if lo is not None else None
    hi = analysis.multiterm(hi, fld.type) if hi is not None else None
    return TermSet(fld.name, term_range(lo, hi, include_low, include_high))


def _date(text: str, opts: Options) -> datetime:
    try:
        return datemath.parse(text, opts.now)
    except datemath.DateMathError as exc:
        raise SolrError(str(exc)) from None


# ------------------------------------------------------------------ eDisMax
def edismax(q: str, params: dict[str, str], opts: Options) -> Query:
    try:
        node = _luqum.parse(q)
    except (ParseError, RecursionError):
        # eDisMax never fails on syntax: it searches the words, syntax characters dropped.
        words = _SYNTAX.sub(" ", q).split()
        node = tree.UnknownOperation(*[tree.Word(w) for w in words]) if len(words) > 1 else (
            tree.Word(words[0]) if words else None)
        if node is None:
            return NoMatch()
    try:
        main = top(convert(node, None, opts))
    except RecursionError:
        raise syntax_error(q, "too deeply nested") from None
    if isinstance(main, Boolean):
        optional = sum(1 for o, _ in main.clauses if o == SHOULD)
        main.min_should = min_should_match(params.get("mm"), optional, opts.op)
    boosts: list[Query] = []
    terms = _bare_words(node)
    if len(terms) > 1:
        for name, boost in boosted_fields(params.get("pf")):
            fld = _field(name)
            if fld.type == DATE:
                continue
            q_phrase = phrase('"%s"' % " ".join(terms), fld, opts, slop=_int(params.get("ps"), 0))
            q_phrase.boost *= boost
            boosts.append(q_phrase)
    bq = params.get("bq")
    if bq and bq.strip():
        boosts.append(parse(bq, options(params, opts.now, edismax=False)))
    return Boosted(main, boosts) if boosts else main


_SYNTAX = re.compile(r'[+\-&|!(){}\[\]^"~*?:\\/]')


def _bare_words(node) -> list[str]:
    """The unfielded, non-negated words of an edismax query, in order (pf's phrase)."""
    if isinstance(node, tree.Word):
        return [] if node.value in ("&&", "||") or node.value.startswith("!") else [_unescape(node.value)]
    if isinstance(node, (tree.AndOperation, tree.OrOperation, tree.UnknownOperation)):
        return [w for c in node.children for w in _bare_words(c)]
    if isinstance(node, tree.Plus):
        return _bare_words(node.a)
    return []


def min_should_match(spec: str | None, optional: int, op: str) -> int:
    """Solr's mm: "2", "-1", "75%", "-25%", "3<90%", "2<-25% 9<-3"; by default all optional
    clauses when q.op is AND, else none (at least one still has to match)."""
    if spec is None or not spec.strip():
        return optional if op == MUST else 0
    spec = spec.strip()
    result = optional
    if "<" in spec:
        for part in spec.split():
            upper, _, rule = part.partition("<")
            try:
                if optional > int(upper):
                    result = _mm_one(rule, optional)
            except ValueError:
                raise SolrError("Invalid mm: %s" % spec) from None
        return max(0, min(result, optional))
    try:
        return max(0, min(_mm_one(spec, optional), optional))
    except ValueError:
        raise SolrError("Invalid mm: %s" % spec) from None


def _mm_one(rule: str, optional: int) -> int:
    if rule.endswith("%"):
        pct = int(rule[:-1])
        calc = int(optional * pct / 100)
        return optional + calc if pct < 0 else calc
    n = int(rule)
    return optional + n if n < 0 else n


def _int(text, default):
    try:
        return int(text) if text is not None else default
    except ValueError:
        raise SolrError("For input string: \"%s\"" % text) from None


# ------------------------------------------------------------------ text helpers
_ESCAPED = re.compile(r"\\(.)", re.S)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _escape_colon(text: str) -> str:
    return text.replace(":", "\\:")


def _has_wildcard(raw: str) -> bool:
    escaped = False
    for c in raw:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in "*?":
            return True
    return False


def _wildcard_regex(raw: str, fld: Field) -> str:
    """``S0*S1*…*Sn`` (each S made of literals and ``?``) as a Python pattern that cannot
    backtrack: S0 anchored at the start, each middle S found leftmost and committed to in an
    atomic group, Sn at the end. Leftmost-first is always right for wildcards, and the match
    costs at most term length x pattern length (stdlib ``re``: far cheaper per term than a
    call into RE2, which a scan over every term of a field pays 100,000 times)."""
    segments: list[str] = []
    literal: list[str] = []
    current: list[str] = []

    def flush():
        if literal:
            current.append(_re.escape(analysis.multiterm("".join(literal), fld.type)))
            literal.clear()
    escaped = False
    for c in raw:
        if escaped:
            literal.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == "*":
            flush()
            segments.append("".join(current))
            current.clear()
        elif c == "?":
            flush()
            current.append(".")
        else:
            literal.append(c)
    flush()
    segments.append("".join(current))
    if len(segments) == 1:
        return "(?s)" + segments[0]
    middle = "".join("(?>.*?%s)" % seg for seg in segments[1:-1] if seg)
    return "(?s)%s%s.*%s" % (segments[0], middle, segments[-1])


def _lucene_regex(body: str, fld: Field) -> str:
    """Lucene's RegExp syntax as RE2: ``. * + ? | ( ) { } [ ]`` keep their meaning, ``@`` is
    any string, ``"…"`` a literal, ``^``/``$`` are plain characters; a backslash escapes."""
    if fld.type != STRING:
        body = analysis.multiterm(body, fld.type)
    out = ["(?s)"]
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(_re.escape(body[i + 1]))
            i += 2
            continue
        if c == '"':
            end = body.find('"', i + 1)
            if end < 0:
                raise ValueError("unterminated string")
            out.append(_re.escape(body[i + 1:end]))
            i = end + 1
            continue
        if c == "[":
            end = i + 1
            while end < len(body) and body[end] != "]":
                end += 2 if body[end] == "\\" else 1
            if end >= len(body):
                raise ValueError("unterminated character class")
            out.append(body[i:end + 1])
            i = end + 1
            continue
        if c == "@":
            out.append(".*")
        elif c == "#":
            out.append("(?:)")
        elif c in "^$&~<>":
            out.append(_re.escape(c))
        else:
            out.append(c)
        i += 1
    return "".join(out)
