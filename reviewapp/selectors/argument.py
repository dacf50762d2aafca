"""The argument map of the live report as one person reads it (`evidence.argument_map`
draws it): the pathways of the report page's column (with their verdicts and lines of
defence, already cut to the reader), the claims resting on them and the evidence cited,
each through its scope function, and the reader's visible findings still without an answer.

Three queries beside the page's column, whatever the size of the report.
"""

from collections import Counter
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from evidence.argument_map import Graph, Node, condense, verdict_of
from evidence.enums import Relation
from evidence.models import ClaimEvidence, Evidence
from evidence.selectors import claim_evidence_scope, evidence_scope
from pathways.access import Access
from pathways.models import PathwayClaim, Report
from pathways.selectors import claim_scope, count_of
from reviewapp.selectors.findings import findings_visible_to


def argument_graph(
    access: Access, report: Report, pathways: list[Any], drawn: list[Any], *, more_claims_href: str = ""
) -> Graph:
    """The map of `drawn` (the whole column, or one pathway of it); `pathways` is the whole
    column as the reader sees it, which a claim's load-bearing count is taken over. Both are
    pathways of `reviewapp.pages.report_page(..., defence=True)`: with `verdict_summary` and
    `defence` on each. A crowded claim column is condensed before the evidence is read, so
    only the evidence of the claims drawn is (`evidence.argument_map.condense`)."""
    graph = Graph(review_marks=True)
    pathway_url, claim_url, evidence_url = (
        _url(name, report) for name in ("pathway_detail", "claim_detail", "evidence_detail")
    )
    seen_ids = [pathway.pk for pathway in pathways]
    drawn_ids = [pathway.pk for pathway in drawn]
    open_findings = _open_findings(access, report, drawn_ids)
    for pathway in drawn:
        verdicts = pathway.verdict_summary or []
        graph.add(
            Node(
                "pathway",
                pathway.slug,
                pathway.title,
                href=pathway_url(pathway.slug),
                verdict=verdict_of([row["position"] for row in verdicts if not row["stale"]]),
                verdict_text="; ".join(
                    f"{row['organisation']}: {row['label']}{' (stale)' if row['stale'] else ''}" for row in verdicts
                )
                or "no verdict yet",
            )
        )
    lines_under: dict[tuple[int, int], list[str]] = {}  # (pathway id, claim id) → line slugs
    line_evidence: list[tuple[str, dict]] = []
    for pathway in drawn:
        for view in pathway.defence.lines:
            line = view.line
            graph.add(
                Node(
                    "line",
                    line.slug,
                    line.title,
                    href=pathway_url(pathway.slug) + f"#line-{line.slug}",
                    strength=line.strength,
                    open_findings=open_findings[("line", line.pk)],
                )
            )
            graph.link(("pathway", pathway.slug), ("line", line.slug))
            for claim in view.claims:
                lines_under.setdefault((pathway.pk, claim["id"]), []).append(line.slug)
            line_evidence += [(line.slug, item) for item in view.evidence]
    claim_rows = _claims(access, drawn_ids, seen_ids)
    slugs = {}
    for row in claim_rows:
        slugs[row["claim_id"]] = row["claim__slug"]
        if ("claim", row["claim__slug"]) not in graph.nodes:
            graph.add(
                Node(
                    "claim",
                    row["claim__slug"],
                    row["claim__statement"],
                    href=claim_url(row["claim__slug"]),
                    resting=row["resting"],
                    undermined=row["undermined"],
                    open_findings=open_findings[("claim", row["claim_id"])],
                )
            )
        graph.rest(row["pathway__slug"], row["claim__slug"], lines_under.get((row["pathway_id"], row["claim_id"]), []))
    condense(graph, "claim", href=more_claims_href)
    drawn_claims = [claim_id for claim_id, slug in slugs.items() if ("claim", slug) in graph.nodes]
    links = ClaimEvidence.objects.filter(claim_evidence_scope(access), claim_id__in=drawn_claims).order_by(
        "claim_id", "position", "id"
    )
    for link in links.values("claim_id", "relation", "evidence__slug", "evidence__title"):
        _evidence_node(graph, evidence_url, link["evidence__slug"], link["evidence__title"])
        graph.link(("claim", slugs[link["claim_id"]]), ("evidence", link["evidence__slug"]), link["relation"])
    for line_slug, item in line_evidence:
        _evidence_node(graph, evidence_url, item["slug"], item["title"])
        graph.link(("line", line_slug), ("evidence", item["slug"]))
    return graph


_SLUG = "slug-of-the-item"


def _url(name: str, report: Report):
    """The page URL of an item of the report by its slug, reversed once (slugs need no quoting)."""
    before, _, after = reverse(name, args=[report.slug, _SLUG]).rpartition(_SLUG)
    return lambda slug: f"{before}{slug}{after}"


def _evidence_node(graph: Graph, url, slug: str, title: str) -> None:
    if ("evidence", slug) not in graph.nodes:
        graph.add(Node("evidence", slug, title, href=url(slug)))


def _claims(access: Access, drawn_ids: list[int], seen_ids: list[int]) -> list[dict]:
    """Each visible claim's use in a drawn pathway, with how many seen pathways rest on the
    claim and whether evidence the reader sees undermines it."""
    undermining = Evidence.objects.filter(
        evidence_scope(access), claim_links__claim=OuterRef("claim_id"), claim_links__relation=Relation.UNDERMINES
    )
    uses = (
        PathwayClaim.objects.filter(claim_scope(access, "claim__"), pathway_id__in=drawn_ids)
        .annotate(
            resting=count_of(PathwayClaim.objects.filter(claim=OuterRef("claim_id"), pathway_id__in=seen_ids)),
            undermined=Exists(undermining),
        )
        .order_by("pathway__position", "position", "id")
    )
    return [
        dict(row)
        for row in uses.values(
            "pathway_id", "pathway__slug", "claim_id", "claim__slug", "claim__statement", "resting", "undermined"
        )
    ]


def _open_findings(access: Access, report: Report, drawn_ids: list[int]) -> Counter:
    """Findings the reader sees that the authors have not answered, counted per claim (on the
    claim itself, or on its use in a drawn pathway) and per line."""
    counts: Counter = Counter()
    drawn = Q(pathway__isnull=True) | Q(pathway_id__in=drawn_ids)
    rows = findings_visible_to(access).filter(drawn, report=report, disposition="").values_list("claim_id", "line_id")
    for claim_id, line_id in rows:
        if claim_id:
            counts[("claim", claim_id)] += 1
        if line_id:
            counts[("line", line_id)] += 1
    return counts
