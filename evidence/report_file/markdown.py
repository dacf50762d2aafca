"""A report as a Markdown document for people (the `md` export, and the text a PDF prints):
the same cut as the YAML export (see exporting.py), included spans shown plainly, a first
line stating the level and what `[redacted]` means, and a second the redaction summary.
People's text stays inert: raw HTML in it is escaped (`pathways.text.inert_html`), so no
viewer that renders Markdown with HTML runs what a reviewer typed."""

from evidence.defence import Basis, independence
from evidence.enums import DefenceKind, DefenceStage, EvidenceKind, Relation, Strength
from evidence.report_file.chains import chain_paragraphs
from pathways.enums import ClaimCategory, ReportStatus, RiskLevel, Sensitivity
from pathways.text import LEVELS, REDACTED, inert_html, render_plain


def report_facts(report) -> list[tuple[str, str]]:
    """The lines under the title: what the report is of, and where it stands."""
    return [
        ("Model", report.model_name),
        ("Report version", report.version),
        ("Evidence cut-off", report.evidence_cutoff.isoformat() if report.evidence_cutoff else ""),
        ("Status", ReportStatus(report.status).label),
    ]


def as_markdown(view, summary: dict) -> str:
    """`view`: the `_ReportView` of exporting.py, what a reader at its level may see (or a
    published version's reading in its shape, with the `facts` that say which version)."""

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
    facts = view.facts if hasattr(view, "facts") else report_facts(report)
    legend = f"items above that level are left out and {REDACTED} stands for text above it"
    if view.level != LEVELS[0]:
        legend += "; text in ⟦ ⟧ is not in the public version"
    add(
        f"_This is the report as a reader at level **{view.level}** sees it: {legend}._",
        f"_{summary['text']}_",
        f"# {report.title}",
        "\n".join(f"- **{label}:** {value}" for label, value in facts if value),
    )
    if report.summary:
        add("## Summary", markdown(report.summary))
    conclusion("## Overall conclusion: {risk_level}", None)

    team_names = {team.slug: team.name for team in view.teams}
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
        defence = [entry for entry in view.lines if entry["pathway"] == pathway.slug]
        if defence:
            add(_independence_line(defence))
        for entry in defence:
            add(*_line_paragraphs(entry, team_names, markdown))
        for entry in (entry for entry in view.chains if entry["pathway"] == pathway.slug):
            add(*chain_paragraphs(entry, team_names))

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
    return inert_html("\n\n".join(lines)) + "\n"


def _independence_line(entries: list[dict]) -> str:
    found = independence(
        [
            Basis(
                line_id=index,
                team_id=entry["owner_team"],
                claim_ids=frozenset(entry.get("claims", [])),
                evidence_ids=frozenset(entry.get("evidence", [])),
            )
            for index, entry in enumerate(entries)
        ]
    )
    line = f"**Lines of defence:** {found.independent} of {len(entries)} independent of one another"
    return line + (" (fewer than two: flagged)" if found.flagged else "")


def _line_paragraphs(entry: dict, team_names: dict, markdown) -> list[str]:
    """One line of defence: what it is, whose, how strong and why, and what it rests on."""
    facts = (
        f"{DefenceKind(entry['kind']).label} · {DefenceStage(entry['stage']).label.lower()} · "
        f"owned by {team_names.get(entry['owner_team'], entry['owner_team'])} · "
        f"strength: {Strength(entry.get('strength', Strength.NOT_ASSESSED)).label.lower()} · "
        f"{Sensitivity(entry.get('sensitivity', Sensitivity.PUBLIC)).label.lower()}"
    )
    rests_on = [f"claim `{slug}`" for slug in entry.get("claims", [])]
    rests_on += [f"evidence `{slug}`" for slug in entry.get("evidence", [])]
    return [
        f"*Line of defence: {entry['title']}* (`{entry['slug']}`) — {facts}",
        markdown(entry.get("strength_reason", "")),
        f"Rests on: {', '.join(rests_on)}" if rests_on else "",
    ]
