"""ORCID's search API behind one in-process index: what ORCID's Solr ``profile`` core holds for
each public record, a Lucene/Solr query engine over it, and the result pages ``/search``,
``/expanded-search`` and ``/csv-search`` answer with.

- ``fields``     the Solr schema: field names, types, what is stored, the dynamic patterns;
- ``analysis``   how text becomes terms (Solr's text_general, the diacritic-folding type);
- ``documents``  what one public record contributes to the index;
- ``index``      the index itself, a listener of the registry's change stream;
- ``datemath``   Solr date math (NOW-1DAY, NOW/DAY, 2024-01-01T00:00:00Z+1MONTH);
- ``query``      Lucene/Solr query parsing (luqum), standard and edismax, into query objects;
- ``scoring``    the query objects: how each matches and scores (BM25) against the index;
- ``results``    request parameters, ORCID's checks on them, sorting, paging.

Plain Python: no Flask, no wire formats.

Import from the modules themselves (``sync.search.index``, ``sync.search.results``): this
package file imports nothing, so no module imports its own package round a circle.
"""
