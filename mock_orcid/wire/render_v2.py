"""API 2.0/2.1 reads: the 3.0 renderer's items, mapped (``downgrade``) and laid out in 2.x's
shapes.

2.x groups differently from 3.0 (ORCID's v2 ``ExternalID``): works and fundings group on the
raw type and value of every id except ``part-of`` (no normalising; ``funded-by`` groups too);
peer reviews have one group level per review group, named by a ``peer-review`` id; educations
and employments are flat lists of summaries. Only the five 2.x activity sections exist.
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from ..registry import grouping, sections
from ..registry.model import Item, Record
from ..registry.namespaces import NS, qn
from . import render
from .downgrade import ACTIVITY_SECTIONS_2X, downgrade, identity_scheme
from .fragment import Fragment

C = "{%s}" % NS["common"]


def _tree(node) -> ET.Element:
    """A private, mutable copy of a rendered node (a fragment or a tree)."""
    if type(node) is Fragment:
        return render.parse_fragment(node)
    return render.materialize(render._copy(node)) if len(node) else render._copy(node)


class RendererV2:
    def __init__(self, renderer: render.Renderer, version: str):
        self.r = renderer
        self.version = version

    # -- items --------------------------------------------------------------
    def item(self, orcid: str, item: Item) -> ET.Element:
        return downgrade(_tree(self.r.view(orcid, item).full), self.version)

    def summary(self, orcid: str, item: Item) -> ET.Element:
        return downgrade(_tree(self.r.view(orcid, item).summary), self.version)

    def person_item(self, orcid: str, item: Item) -> ET.Element:
        return self.item(orcid, item)

    # -- lists --------------------------------------------------------------
    def section_list(self, record: Record, section: sections.Section, items: list[Item]) -> ET.Element:
        container = ET.Element(section.list_tag, {"path": "/%s/%s" % (record.orcid, section.plural)})
        if section.kind == "person":
            if items:
                render._sub(container, C + "last-modified-date",
                            render.iso(max(i.last_modified for i in items)))
            container.extend(self.item(record.orcid, i) for i in items)
            return container
        entries = [self._entry(record.orcid, i) for i in items]
        if entries:
            render._sub(container, C + "last-modified-date",
                        render.iso(max(e.item.last_modified for e in entries)))
        if section.grouping == "affiliation-group":
            # Flat in 2.x: newest start first, as ORCID's pages list them.
            container.extend(e.elem for g in render._ordered_views(entries) for e in g)
        elif section.grouping == "peer-review":
            self._peer_review_groups(container, entries)
        else:
            for members in render._ordered_views(entries):
                grp = render._sub(container, qn("activities", "group"))
                render._sub(grp, C + "last-modified-date",
                            render.iso(max(e.item.last_modified for e in members)))
                grp.append(render._group_external_ids(members, copy=True))
                grp.extend(e.elem for e in members)
        return container

    def _entry(self, orcid: str, item: Item):
        summ = self.summary(orcid, item)
        entry = render._Entry()
        entry.item, entry.elem = item, summ
        render._sort_keys(entry, summ)
        entry.group_keys = tuple(_v2_group_keys(summ))
        return entry

    def _peer_review_groups(self, container, entries):
        # One level in 2.x: the review group holds its summaries directly.
        for gid, members in render.review_groups(entries):
            grp = render.review_group(container, gid, members)
            members.sort(key=lambda e: (-e.item.display_index, e.item.created))
            grp.extend(e.elem for e in members)

    def activities_summary(self, record: Record, visible_items) -> ET.Element:
        elem = ET.Element(qn("activities", "activities-summary"),
                          {"path": "/%s/activities" % record.orcid})
        children = [self.section_list(record, sections.BY_NAME[name], visible_items(
            sections.BY_NAME[name])) for name in ACTIVITY_SECTIONS_2X]
        dates = [d for d in (c.findtext(C + "last-modified-date") for c in children) if d]
        if dates:
            render._sub(elem, C + "last-modified-date", max(dates))
        elem.extend(children)
        return elem

    # -- whole-record views -------------------------------------------------
    def record_tree(self, tree: ET.Element) -> ET.Element:
        """A 3.0 person/record/personal-details tree, shown as 2.x shows it."""
        downgrade(tree, self.version)
        identity_scheme(tree, self.version)
        return tree


def _v2_group_keys(summ: ET.Element):
    for ext in grouping.external_ids(summ):
        id_type, value, rel = grouping.id_fields(ext)
        if rel == "part-of" or not value:
            continue
        yield (id_type, value), ext

