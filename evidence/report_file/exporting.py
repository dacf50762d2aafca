"""Writing a report as a reader at one sensitivity level sees it (docs/report-format.md, "Export").

Rules:
- Claims and evidence above the level are left out entirely; a claim's link to an evidence
  item is written only when both are included, and a pathway lists only included claims.
  Teams are those owning an included claim or evidence item, by slug.
- In Markdown fields, spans above the level become `[redacted]`.
- YAML keeps the markers of included spans, so an `internal` export imported into an empty
  database and exported again gives the same bytes. Keys follow the order of the format;
  optional keys are left out when empty (a conclusion when it is `not_assessed` without
  text); `sensitivity` and `relation` are always written. Multi-line text is a `|` block
  where YAML allows one; no anchors or aliases; lines are not wrapped.
- Markdown is a document for people: included spans show as plain text in ⟦ ⟧, and a first
  line states the level and what `[redacted]` means.
"""

from collections import defaultdict
from dataclasses import dataclass

import yaml

from evidence.enums import EvidenceKind, Relation
from evidence.models import ClaimEvidence, Evidence
from evidence.report_file.validation import FORMAT
from pathways.enums import ClaimCategory, ReportStatus, RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team
from pathways.text import LEVELS, REDACTED, redact, render_plain

FORMATS = ("yaml", "md", "pdf")


def report_export(*, report: Report, level: str, fmt: str = "yaml") -> str:
    """The report as a reader at `level` sees it, as `fmt` ("yaml" or "md").

    Raises ValueError for an unknown level or format, and for "pdf", which is not available yet.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}': use one of {', '.join(LEVELS)}")
    if fmt == "pdf":
        raise ValueError("PDF export is not available yet: use --format yaml or md")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    view = _ReportView.load(report=report, level=level)
    return _as_yaml(view) if fmt == "yaml" else _as_markdown(view)


@dataclass(frozen=True)
class _ReportView:
    """What a reader at `level` may see of a report, in the report's order (a handful of queries)."""

    level: str
    report: Report
    conclusions: dict[int | None, Conclusion]  # by pathway id; None for the overall one
    pathways: list[Pathway]
    pathway_claims: dict[int, list[Claim]]
    claims: list[Claim]
    claim_evidence: dict[int, list[ClaimEvidence]]
    evidence: list[Evidence]
    teams: list[Team]

    @classmethod
    def load(cls, *, report: Report, level: str) -> "_ReportView":
        readable = Sensitivity.at_or_below(level)
        claims = list(Claim.objects.filter(report=report, sensitivity__in=readable).select_related("owner_team"))
        evidence = list(Evidence.objects.filter(report=report, sensitivity__in=readable).select_related("owner_team"))
        pathway_claims = defaultdict(list)
        claim_links = PathwayClaim.objects.filter(pathway__report=report, claim__sensitivity__in=readable)
        for link in claim_links.select_related("claim"):
            pathway_claims[link.pathway_id].append(link.claim)
        claim_evidence = defaultdict(list)
        evidence_links = ClaimEvidence.objects.filter(
            claim__report=report, claim__sensitivity__in=readable, evidence__sensitivity__in=readable
        )
        for link in evidence_links.select_related("evidence"):
            claim_evidence[link.claim_id].append(link)
        teams = {item.owner_team.slug: item.owner_team for item in [*claims, *evidence]}
        return cls(
            level=level,
            report=report,
            conclusions={conclusion.pathway_id: conclusion for conclusion in report.conclusions.all()},
            pathways=list(report.pathways.all()),
            pathway_claims=pathway_claims,
            claims=claims,
            claim_evidence=claim_evidence,
            evidence=evidence,
            teams=[teams[slug] for slug in sorted(teams)],
        )


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, `|` for multi-line text, and never an alias."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style where a block cannot hold the text exactly, but it
    # writes the Unicode line breaks NEL, LS and PS raw, and reads them back as "\n" or " ".
    if any(line_break in text for line_break in "\x85\u2028\u2029"):
        style = '"'
    else:
        style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_multi_representer(str, _represent_text)  # TextChoices members are str subclasses


def _without_empty(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in ("", None, [], {})}


def _as_yaml(view: _ReportView) -> str:
    def markdown(text: str) -> str:
        return redact(text, view.level, keep_markers=True)

    def conclusion(pathway_id: int | None) -> dict | None:
        found = view.conclusions.get(pathway_id)
        if found is None or (found.risk_level == RiskLevel.NOT_ASSESSED and not found.text):
            return None
        return _without_empty({"risk_level": found.risk_level, "text": markdown(found.text)})

    report = view.report
    document = {
        "format": FORMAT,
        "report": _without_empty(
            {
                "slug": report.slug,
                "title": report.title,
                "model": report.model_name,
                "version": report.version,
                "evidence_cutoff": report.evidence_cutoff,
                "summary": markdown(report.summary),
                "conclusion": conclusion(None),
            }
        ),
        "teams": [
            _without_empty({"slug": team.slug, "name": team.name, "description": team.description})
            for team in view.teams
        ],
        "pathways": [
            _without_empty(
                {
                    "slug": pathway.slug,
                    "title": pathway.title,
                    "critical_action": markdown(pathway.critical_action),
                    "argument": markdown(pathway.argument),
                    "conclusion": conclusion(pathway.id),
                    "claims": [claim.slug for claim in view.pathway_claims[pathway.id]],
                }
            )
            for pathway in view.pathways
        ],
        "claims": [
            _without_empty(
                {
                    "slug": claim.slug,
                    "statement": claim.statement,
                    "category": claim.category,
                    "owner_team": claim.owner_team.slug,
                    "sensitivity": claim.sensitivity,
                    "rationale": markdown(claim.rationale),
                    "evidence": [
                        {"evidence": link.evidence.slug, "relation": link.relation}
                        for link in view.claim_evidence[claim.id]
                    ],
                }
            )
            for claim in view.claims
        ],
        "evidence": [
            _without_empty(
                {
                    "slug": evidence.slug,
                    "title": evidence.title,
                    "kind": evidence.kind,
                    "owner_team": evidence.owner_team.slug,
                    "sensitivity": evidence.sensitivity,
                    "summary": markdown(evidence.summary),
                    "source": evidence.source,
                }
            )
            for evidence in view.evidence
        ],
    }
    header = (
        f"# {FORMAT} export of '{report.slug}' for readers at level {view.level}: "
        f"items above it are left out, and {REDACTED} marks text above it.\n"
    )
    body = yaml.dump(_without_empty(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf"))
    return header + body


def _as_markdown(view: _ReportView) -> str:
    def markdown(text: str) -> str:
        return render_plain(text, view.level).strip()

    lines: list[str] = []

    def add(*paragraphs: str) -> None:
        lines.extend(paragraph for paragraph in paragraphs if paragraph)

    def conclusion(heading: str, pathway_id: int | None) -> None:
        found = view.conclusions.get(pathway_id)
        risk_level = RiskLevel(found.risk_level if found else RiskLevel.NOT_ASSESSED).label
        add(heading.format(risk_level=risk_level), markdown(found.text) if found else "")

    report = view.report
    legend = f"items above that level are left out and {REDACTED} stands for text above it"
    if view.level != LEVELS[0]:
        legend += "; text in ⟦ ⟧ is not in the public version"
    add(
        f"_This is the report as a reader at level **{view.level}** sees it: {legend}._",
        f"# {report.title}",
        "\n".join(
            f"- **{label}:** {value}"
            for label, value in (
                ("Model", report.model_name),
                ("Report version", report.version),
                ("Evidence cut-off", report.evidence_cutoff.isoformat() if report.evidence_cutoff else ""),
                ("Status", ReportStatus(report.status).label),
            )
            if value
        ),
    )
    if report.summary:
        add("## Summary", markdown(report.summary))
    conclusion("## Overall conclusion: {risk_level}", None)

    for number, pathway in enumerate(view.pathways, start=1):
        add(f"## Pathway {number}: {pathway.title}")
        if pathway.critical_action:
            add("**Critical action**", markdown(pathway.critical_action))
        if pathway.argument:
            add("**Argument**", markdown(pathway.argument))
        conclusion("**Conclusion: {risk_level}**", pathway.id)
        rests_on = view.pathway_claims[pathway.id]
        if rests_on:
            add("**Claims it rests on**", "\n".join(f"- {claim.statement} (`{claim.slug}`)" for claim in rests_on))

    if view.claims:
        add("## Claims")
    for claim in view.claims:
        add(
            f"### Claim `{claim.slug}`",
            claim.statement,
            f"{ClaimCategory(claim.category).label} · owned by {claim.owner_team.name} · "
            f"{Sensitivity(claim.sensitivity).label.lower()}",
        )
        if claim.rationale:
            add("**Rationale**", markdown(claim.rationale))
        for relation, heading in (
            (Relation.SUPPORTS, "Supporting evidence"),
            (Relation.UNDERMINES, "Undermining evidence"),
            (Relation.CONTEXT, "Context"),
        ):
            linked = [link.evidence for link in view.claim_evidence[claim.id] if link.relation == relation]
            if linked:
                add(f"**{heading}**", "\n".join(f"- {evidence.title} (`{evidence.slug}`)" for evidence in linked))

    if view.evidence:
        add("## Evidence")
    for evidence in view.evidence:
        source = f" · source: {evidence.source}" if evidence.source else ""
        add(
            f"### {evidence.title} (`{evidence.slug}`)",
            f"{EvidenceKind(evidence.kind).label} · owned by {evidence.owner_team.name} · "
            f"{Sensitivity(evidence.sensitivity).label.lower()}{source}",
        )
        if evidence.summary:
            add(markdown(evidence.summary))
    return "\n\n".join(lines) + "\n"
