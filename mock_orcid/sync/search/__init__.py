"""ORCID's search API behind one in-process index: what ORCID's Solr ``profile`` core holds for
each public record, a Lucene/Solr query engine over it, and the result pages ``/search``,
``/expanded-search`` and ``/csv-search`` answer with.

- ``fields``     the Solr schema: field names, types, what is stored, the dynamic patterns;
- ``analysis``   how text becomes terms (Solr's text_general, the diacritic-folding type);
- ``documents``  what one public record contributes to the index;
- ``index``      the index itself, a listener of the registry's change stream;
- ``datemath``   Solr date math (NOW-1DAY, NOW/DAY, 2024-01-01T00:00:00Z+1MONTH);
- ``query``      Lucene/Solr query parsing (luqum) and evaluation, standard and edismax;
- ``results``    request parameters, ORCID's checks on them, sorting, paging.

Plain Python: no Flask, no wire formats.
"""
from .index import SearchIndex
from .results import SearchRequest, run_search

__all__ = ["SearchIndex", "SearchRequest", "run_search"]
