"""Query objects and how they match and score against a ``SearchIndex`` (hold its lock).

Each query's ``run(ix)`` answers {orcid: score}. Term and phrase queries score with BM25
(Lucene 8's default similarity, k1=1.2, b=0.75); wildcard, regex, fuzzy, range and existence
queries are constant-score, as Solr rewrites them. Boolean queries add their clauses' scores.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

import re2
from rapidfuzz import process
from rapidfuzz.distance import OSA

K1, B = 1.2, 0.75
MUST, SHOULD, MUST_NOT = "+", "", "-"
Scores = dict[str, float]


def _idf(doc_freq: int, doc_count: int) -> float:
    return math.log(1 + (doc_count - doc_freq + 0.5) / (doc_freq + 0.5))


class Query:
    boost: float = 1.0

    def run(self, ix) -> Scores:
        raise NotImplementedError


@dataclass
class NoMatch(Query):
    boost: float = 1.0

    def run(self, ix) -> Scores:
        return {}


@dataclass
class MatchAll(Query):
    boost: float = 1.0

    def run(self, ix) -> Scores:
        return dict.fromkeys(ix.docs, self.boost)


@dataclass
class Term(Query):
    field: str
    term: str
    boost: float = 1.0

    def run(self, ix) -> Scores:
        posting = ix.postings.get(self.field, {}).get(self.term)
        if not posting:
            return {}
        count, avg = ix.field_stats(self.field)
        weight = self.boost * _idf(len(posting), count)
        docs = ix.docs
        name = self.field
        out = {}
        for orcid, tf in posting.items():
            norm = K1 * (1 - B + B * docs[orcid].lengths.get(name, 1) / avg)
            out[orcid] = weight * tf / (tf + norm)
        return out


@dataclass
class Phrase(Query):
    """Consecutive tokens inside one value (multi-valued fields never join across values).
    ``slop`` allows each token that far from its place (a simplification of Lucene's
    sloppy phrase)."""
    field: str
    tokens: list[str]
    slop: int = 0
    boost: float = 1.0

    def run(self, ix) -> Scores:
        postings = ix.postings.get(self.field, {})
        lists = [postings.get(t) for t in self.tokens]
        if any(not p for p in lists):
            return {}
        candidates = set(min(lists, key=len))
        for p in lists:
            candidates.intersection_update(p)
        if not candidates:
            return {}
        count, avg = ix.field_stats(self.field)
        weight = self.boost * sum(_idf(len(p), count) for p in lists)
        out = {}
        for orcid in candidates:
            doc = ix.docs[orcid]
            freq = sum(_phrase_freq(value, self.tokens, self.slop)
                       for value in doc.tokens.get(self.field, ()))
            if freq:
                norm = K1 * (1 - B + B * doc.lengths.get(self.field, 1) / avg)
                out[orcid] = weight * freq / (freq + norm)
        return out


def _phrase_freq(value: list[str], tokens: list[str], slop: int) -> int:
    """How many places in ``value`` the phrase starts at. Positions are bit sets (Python ints),
    so the work is a few big-int operations per phrase token, whatever the repeats: a phrase of
    thousands of repeated words against a long biography stays cheap."""
    n, length = len(tokens), len(value)
    if n > length:
        return 0
    wanted = set(tokens)
    marks = {t: bytearray(b"0") * length for t in wanted}
    for i, tok in enumerate(value):
        if tok in wanted:
            marks[tok][length - 1 - i] = 49          # bit i set ("1")
    bits = {t: int(m, 2) for t, m in marks.items()}
    slop = min(slop, length + n)     # a wider slop allows nothing more (and keeps ints small)
    near = {t: _dilate(b, slop) for t, b in bits.items()} if slop else bits
    starts = bits[tokens[0]]
    for k in range(1, n):
        starts &= near[tokens[k]] >> k
        if not starts:
            return 0
    return starts.bit_count()


def _dilate(bits: int, by: int) -> int:
    """Every set bit spread to the ``by`` positions either side (O(log by) shifts)."""
    out, done = bits, 0
    while done < by:
        step = min(done + 1, by - done)
        out |= (out << step) | (out >> step)
        done += step
    return out


@dataclass
class TermSet(Query):
    """Constant-score match of every term of a field that ``accept(term)`` takes: wildcards,
    regular expressions, fuzzy terms and term ranges."""
    field: str
    accept: object
    boost: float = 1.0

    def run(self, ix) -> Scores:
        matched = set()
        accept = self.accept
        for term, posting in ix.postings.get(self.field, {}).items():
            if accept(term):
                matched.update(posting)
        return dict.fromkeys(matched, self.boost)


def pattern(regex: str):
    """A linear-time full-match test for a user's regular expression (RE2: no input can make
    it backtrack)."""
    return re2.compile(regex).fullmatch


def wildcard(regex: str):
    """A full-match test for a wildcard pattern already written so that it cannot backtrack
    (see ``query._wildcard_regex``); stdlib ``re`` is the cheaper call per term."""
    return re.compile(regex).fullmatch


@dataclass
class Fuzzy(Query):
    """``term~N``: the terms of a field within N edits of ``target`` (a transposition is one
    edit, as in Lucene's FuzzyQuery), at most ``MAX_EXPANSIONS`` of them, nearest first, as
    Lucene's default rewrite keeps; constant-score. The distances are computed by rapidfuzz
    (C++, one pass over the field's terms), so a short fuzzy term over a large index stays fast."""
    field: str
    target: str
    max_edits: int
    boost: float = 1.0

    def run(self, ix) -> Scores:
        postings = ix.postings.get(self.field, {})
        found = process.extract(self.target, list(postings), scorer=OSA.distance,
                                score_cutoff=self.max_edits, limit=None)
        found.sort(key=lambda hit: (hit[1], hit[0]))
        matched = set()
        for term, _distance, _key in found[:MAX_EXPANSIONS]:
            matched.update(postings[term])
        return dict.fromkeys(matched, self.boost)


MAX_EXPANSIONS = 50    # FuzzyQuery.defaultMaxExpansions


def term_range(low: str | None, high: str | None, include_low: bool, include_high: bool):
    def accept(term: str) -> bool:
        if low is not None and (term < low or (term == low and not include_low)):
            return False
        if high is not None and (term > high or (term == high and not include_high)):
            return False
        return True
    return accept


@dataclass
class DateRange(Query):
    field: str
    low: datetime | None
    high: datetime | None
    include_low: bool = True
    include_high: bool = True
    boost: float = 1.0

    def run(self, ix) -> Scores:
        low, high = self.low, self.high
        out = {}
        for orcid, when in ix.dates.get(self.field, {}).items():
            if low is not None and (when < low or (when == low and not self.include_low)):
                continue
            if high is not None and (when > high or (when == high and not self.include_high)):
                continue
            out[orcid] = self.boost
        return out


@dataclass
class Exists(Query):
    """``field:*`` and ``field:[* TO *]``: every document with a value in the field."""
    field: str
    boost: float = 1.0

    def run(self, ix) -> Scores:
        if self.field in ix.dates:
            return dict.fromkeys(ix.dates[self.field], self.boost)
        matched = set()
        for posting in ix.postings.get(self.field, {}).values():
            matched.update(posting)
        return dict.fromkeys(matched, self.boost)


@dataclass
class Boolean(Query):
    clauses: list[tuple[str, Query]] = field(default_factory=list)
    min_should: int = 0          # edismax's mm, already worked out as a count
    boost: float = 1.0

    def run(self, ix) -> Scores:
        must = [q.run(ix) for occur, q in self.clauses if occur == MUST]
        should = [q.run(ix) for occur, q in self.clauses if occur == SHOULD]
        must_not = [q.run(ix) for occur, q in self.clauses if occur == MUST_NOT]
        if not must and not should:
            return {}            # only exclusions match nothing (Lucene)
        if must:
            must.sort(key=len)
            out = dict(must[0])
            for other in must[1:]:
                out = {k: v + other[k] for k, v in out.items() if k in other}
            need = self.min_should
            if should:
                counts: dict[str, int] = {}
                for scores in should:
                    for k, v in scores.items():
                        if k in out:
                            out[k] += v
                            counts[k] = counts.get(k, 0) + 1
                if need:
                    out = {k: v for k, v in out.items() if counts.get(k, 0) >= need}
            elif need:
                out = {}
        else:
            out = {}
            counts = {}
            for scores in should:
                for k, v in scores.items():
                    out[k] = out.get(k, 0.0) + v
                    counts[k] = counts.get(k, 0) + 1
            need = max(1, self.min_should)
            if need > 1:
                out = {k: v for k, v in out.items() if counts[k] >= need}
        for scores in must_not:
            for k in scores:
                out.pop(k, None)
        if self.boost != 1.0:
            out = {k: v * self.boost for k, v in out.items()}
        return out


@dataclass
class DisMax(Query):
    """edismax's per-term query over the ``qf`` fields: the best field's score, plus ``tie``
    times the others'."""
    queries: list[Query] = field(default_factory=list)
    tie: float = 0.0
    boost: float = 1.0

    def run(self, ix) -> Scores:
        best: Scores = {}
        total: Scores = {}
        for q in self.queries:
            for k, v in q.run(ix).items():
                total[k] = total.get(k, 0.0) + v
                if v > best.get(k, -1.0):
                    best[k] = v
        return {k: self.boost * (v + self.tie * (total[k] - v)) for k, v in best.items()}


@dataclass
class Boosted(Query):
    """Scores of ``main``, with ``boosts`` (edismax's pf, bq) added where they also match."""
    main: Query
    boosts: list[Query] = field(default_factory=list)
    boost: float = 1.0

    def run(self, ix) -> Scores:
        out = self.main.run(ix)
        for q in self.boosts:
            for k, v in q.run(ix).items():
                if k in out:
                    out[k] += v
        return out
