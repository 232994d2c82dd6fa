"""URL rules whose URL builder is compiled when first used.

werkzeug compiles two URL builders (Python code, through ``ast`` and ``compile``) for every
rule when it is added: about a millisecond per rule, a tenth of a second at start for our
hundred-odd routes, while only a few routes are ever built (``url_for``). Flask lets an app
choose its rule class (``Flask.url_rule_class``); this one defers that work to the first build
of each rule. Matching (the regular expressions) is unchanged.
"""
from __future__ import annotations

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        attr = "_build_unknown" if append_unknown else "_build"

        def build_first(_rule, **values):
            # Two threads may both compile the first time: same result, no harm.
            real = Rule._compile_builder(self, append_unknown).__get__(self, None)
            setattr(self, attr, real)
            return real(**values)
        return build_first
