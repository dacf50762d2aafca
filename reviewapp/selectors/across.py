"""A report and the reports it was started from, or that were started from it: the chain
of one lab's reports, model after model, as one person may read it.

Each link of the chain is followed only to a report the person can see, so a report they
cannot see ends the chain there, and nothing of it (not even that it exists) is shown.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from pathways.access import Access
from pathways.models import Report
from pathways.selectors import conclusions_visible_to, pathways_visible_to, reports_visible_to
from reviewapp.selectors.verdicts import current_verdicts_visible_to

# A chain longer than this is cut (a guard; a lab writes one report per model).
CHAIN_LIMIT = 20


def neighbours(access: Access, report: Report) -> tuple[Report | None, Report | None]:
    """The report's predecessor and its first successor that the person can see; one query."""
    found = (
        reports_visible_to(access).filter(Q(pk=report.predecessor_id) | Q(predecessor=report)).order_by("created_at")
    )
    previous = following = None
    for other in found:
        if other.pk == report.predecessor_id:
            previous = other
        elif following is None:
            following = other
    return previous, following


def report_chain(access: Access, report: Report) -> list[Report]:
    """Oldest first: the predecessors the person can see, the report, its successors (the
    first started from each); one query, as a person sees tens of reports, not thousands."""
    reports = {other.pk: other for other in reports_visible_to(access).order_by("created_at", "id")}
    reports[report.pk] = report
    following: dict[int, Report] = {}
    for other in reports.values():
        if other.predecessor_id is not None:
            following.setdefault(other.predecessor_id, other)
    chain, seen = [report], {report.pk}
    while len(chain) < CHAIN_LIMIT and chain[0].predecessor_id in reports and chain[0].predecessor_id not in seen:
        chain.insert(0, reports[chain[0].predecessor_id])
        seen.add(chain[0].pk)
    while len(chain) < CHAIN_LIMIT and chain[-1].pk in following and following[chain[-1].pk].pk not in seen:
        chain.append(following[chain[-1].pk])
        seen.add(chain[-1].pk)
    return chain


@dataclass
class AcrossRow:
    """One pathway (by slug; None for the overall conclusion) along the chain."""

    slug: str | None
    title: str
    # per report of the chain: (report, None) when the pathway is not in it (as the person
    # reads it), else (report, {"risk_level", "conclusion", "verdicts"})
    cells: list = field(default_factory=list)


def across_models(access: Access, chain: list[Report]) -> list[AcrossRow]:
    """Each pathway's risk level and every organisation's current verdict, report by report,
    among what the person may read; three queries whatever the data."""
    ids = [report.pk for report in chain]
    pathways = list(pathways_visible_to(access).filter(report_id__in=ids).order_by("position", "id"))
    conclusions = list(conclusions_visible_to(access).filter(report_id__in=ids).select_related("pathway"))
    verdicts = list(
        current_verdicts_visible_to(access)
        .filter(conclusion_id__in=[conclusion.pk for conclusion in conclusions])
        .select_related("organisation")
        .order_by("organisation__kind", "organisation__name")
    )
    by_conclusion: dict[int, list] = {}
    by_pk = {conclusion.pk: conclusion for conclusion in conclusions}
    for verdict in verdicts:
        verdict.conclusion = by_pk[verdict.conclusion_id]
        by_conclusion.setdefault(verdict.conclusion_id, []).append(verdict)
    cells = {
        (conclusion.report_id, conclusion.pathway.slug if conclusion.pathway is not None else None): {
            "risk_level": conclusion.risk_level,
            "conclusion": conclusion,
            "verdicts": by_conclusion.get(conclusion.pk, []),
        }
        for conclusion in conclusions
    }
    titles: dict[str, str] = {}
    for pathway in sorted(pathways, key=lambda item: ids.index(item.report_id)):
        titles[pathway.slug] = pathway.title  # the latest report's title wins
    order = list(
        dict.fromkeys(pathway.slug for pathway in sorted(pathways, key=lambda item: -ids.index(item.report_id)))
    )
    rows = [AcrossRow(slug=None, title="Overall conclusion")]
    rows += [AcrossRow(slug=slug, title=titles[slug]) for slug in order]
    for row in rows:
        row.cells = [(report, cells.get((report.pk, row.slug))) for report in chain]
    return rows
