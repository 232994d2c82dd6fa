"""How values become terms, as the Solr field types of ORCID's schema do it.

text_general: Lucene's StandardTokenizer (Unicode word boundaries, UAX #29) then lower-case.
The tokenizer is approximated by one linear regular expression: runs of word characters, kept
together across ``: . ' ’`` between letters and ``. , ; ' ’`` between digits, so
``josiah.carberry@example.org`` gives ``josiah.carberry`` and ``example.org``,
``10.1087/20120404`` gives ``10.1087`` and ``20120404``, ``A-1111-2011`` gives three terms.
diacritic_removed_text folds accents to ASCII first ("Bergström" matches "bergstrom").
"""
from __future__ import annotations

import re
import sys
import unicodedata

from .fields import FOLDED, TEXT

_TOKEN = re.compile(r"\w+(?:(?:(?<=[^\W\d_])[:.'’](?=[^\W\d_])|(?<=\d)[.,;'’](?=\d))\w+)*")
MAX_TOKEN = 255   # StandardTokenizer's default maximum token length


def fold(text: str) -> str:
    """Accents off (ASCIIFoldingFilter's effect on Latin letters)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str, type_: str = TEXT) -> list[str]:
    """The terms of one value of a tokenized field, in order (interned: the index holds many)."""
    if type_ == FOLDED:
        text = fold(text)
    return [sys.intern(t.lower()) for t in _TOKEN.findall(text) if len(t) <= MAX_TOKEN]


def multiterm(text: str, type_: str) -> str:
    """What a wildcard, fuzzy or range term becomes: lower-cased (and folded) but not split,
    as Solr's multi-term-aware analysis does for these field types."""
    if type_ == FOLDED:
        text = fold(text)
    return text.lower() if type_ in (TEXT, FOLDED) else text
