"""The whole report at the internal level, as a published version keeps it: the report file
an internal YAML export writes (`report_document`), and the ids of its pathways, claims and
evidence items by slug.

It is read as rows of values, not model instances, so that a report of thousands of claims
and evidence items is read and written out in a fraction of the time; a test holds its
document equal to `report_document`'s.
"""

from collections import defaultdict
from typing import Any

from django.contrib.postgres.aggregates import JSONBAgg
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, Func, OuterRef, Subquery
from django.db.models.functions import JSONObject

from evidence.models import ClaimEvidence, Evidence, LineOfDefence
from evidence.report_file.chains import entries_of, pathway_chain_rows
from evidence.report_file.defence import line_entry, with_link_slugs
from evidence.report_file.exporting import link_order, links_of, report_section
from evidence.report_file.reading import FORMAT
from evidence.report_file.writing import without_empty
from pathways.enums import RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report
from pathways.text import redact


class ArrayValue(Func):
    """ARRAY[a, b]: a line's place in the report's order, as JSON can hold it."""

    template = "ARRAY[%(expressions)s]"
    output_field = ArrayField(BigIntegerField())


def _markdown(text: str) -> str:
    return redact(text or "", Sensitivity.INTERNAL, keep_markers=True)


def _conclusion(row) -> dict | None:
    if row is None or (row["risk_level"] == RiskLevel.NOT_ASSESSED and not row["text"]):
        return None
    return without_empty({"risk_level": row["risk_level"], "text": _markdown(row["text"])})


def _defence_rows() -> Subquery:
    """A pathway's lines of defence as JSON rows (with their team and the slugs they rest
    on), read with the pathways rather than in a query of their own."""
    columns = {name: name for name in ("slug", "title", "kind", "stage", "sensitivity", "strength", "strength_reason")}
    row = JSONObject(
        **columns,
        pathway="pathway__slug",
        order=ArrayValue("position", "id"),
        claim_slugs="claim_slugs",
        evidence_slugs="evidence_slugs",
        owner_team__slug="owner_team__slug",
        owner_team__name="owner_team__name",
        owner_team__description="owner_team__description",
    )
    lines = with_link_slugs(LineOfDefence.objects.filter(pathway_id=OuterRef("pk"))).order_by()
    return Subquery(lines.values("pathway_id").annotate(rows=JSONBAgg(row)).values("rows"))


def report_snapshot(*, report: Report) -> tuple[dict, dict]:
    """(the document, {"pathways" | "claims" | "evidence": {slug: id}}), in four queries."""
    conclusions: dict[int | None, Any] = {
        row["pathway_id"]: row
        for row in Conclusion.objects.filter(report=report).values("pathway_id", "risk_level", "text")
    }
    pathways = list(
        Pathway.objects.filter(report=report)
        .annotate(defence_rows=_defence_rows(), chain_rows=pathway_chain_rows())
        .values("id", "slug", "title", "critical_action", "argument", "defence_rows", "chain_rows")
    )
    team = ("owner_team__slug", "owner_team__name", "owner_team__description")
    claims = list(
        Claim.objects.filter(report=report)
        .annotate(
            pathway_link_rows=links_of(PathwayClaim, pathway="pathway_id"),
            evidence_link_rows=links_of(ClaimEvidence, evidence="evidence_id", relation="relation"),
        )
        .values(
            "id",
            "slug",
            "statement",
            "category",
            "sensitivity",
            "rationale",
            "pathway_link_rows",
            "evidence_link_rows",
            *team,
        )
    )
    evidence = list(
        Evidence.objects.filter(report=report).values(
            "id", "slug", "title", "kind", "sensitivity", "summary", "source", *team
        )
    )
    lines = sorted(
        (line for pathway in pathways for line in pathway["defence_rows"] or []), key=lambda line: line["order"]
    )
    evidence_slugs = {row["id"]: row["slug"] for row in evidence}
    claim_slugs = {row["id"]: row["slug"] for row in claims}
    resting: defaultdict[int, list[tuple]] = defaultdict(list)
    for claim in claims:
        for link in claim["pathway_link_rows"] or []:
            resting[link["pathway"]].append((link["position"], link["id"], claim["id"]))
    chains, chain_teams = entries_of([row for pathway in pathways for row in pathway["chain_rows"] or []])
    teams = {row["owner_team__slug"]: row for row in (*claims, *evidence, *lines)}
    teams.update(
        (slug, {"owner_team__name": team.name, "owner_team__description": team.description})
        for slug, team in chain_teams.items()
    )
    document = {
        "format": FORMAT,
        "report": report_section(
            report, summary=_markdown(report.summary), conclusion=_conclusion(conclusions.get(None))
        ),
        "teams": [
            without_empty(
                {
                    "slug": slug,
                    "name": teams[slug]["owner_team__name"],
                    "description": teams[slug]["owner_team__description"],
                }
            )
            for slug in sorted(teams)
        ],
        "pathways": [
            without_empty(
                {
                    "slug": pathway["slug"],
                    "title": pathway["title"],
                    "critical_action": _markdown(pathway["critical_action"]),
                    "argument": _markdown(pathway["argument"]),
                    "conclusion": _conclusion(conclusions.get(pathway["id"])),
                    "claims": [claim_slugs[claim_id] for _, _, claim_id in sorted(resting[pathway["id"]])],
                }
            )
            for pathway in pathways
        ],
        "claims": [
            without_empty(
                {
                    "slug": claim["slug"],
                    "statement": claim["statement"],
                    "category": claim["category"],
                    "owner_team": claim["owner_team__slug"],
                    "sensitivity": claim["sensitivity"],
                    "rationale": _markdown(claim["rationale"]),
                    "evidence": [
                        {"evidence": evidence_slugs[link["evidence"]], "relation": link["relation"]}
                        for link in sorted(claim["evidence_link_rows"] or [], key=link_order)
                    ],
                }
            )
            for claim in claims
        ],
        "evidence": [
            without_empty(
                {
                    "slug": item["slug"],
                    "title": item["title"],
                    "kind": item["kind"],
                    "owner_team": item["owner_team__slug"],
                    "sensitivity": item["sensitivity"],
                    "summary": _markdown(item["summary"]),
                    "source": item["source"],
                }
            )
            for item in evidence
        ],
        "lines_of_defence": [
            line_entry(
                slug=line["slug"],
                pathway=line["pathway"],
                title=line["title"],
                kind=line["kind"],
                stage=line["stage"],
                owner_team=line["owner_team__slug"],
                sensitivity=line["sensitivity"],
                strength=line["strength"],
                strength_reason=_markdown(line["strength_reason"]),
                claims=list(line["claim_slugs"] or []),
                evidence=list(line["evidence_slugs"] or []),
            )
            for line in lines
        ],
        "detection_chains": chains,
    }
    ids = {
        "pathways": {row["slug"]: row["id"] for row in pathways},
        "claims": {row["slug"]: row["id"] for row in claims},
        "evidence": {row["slug"]: row["id"] for row in evidence},
    }
    return without_empty(document), ids
