"""Exporting a published version: the version's report file, cut to the person and to the
level they choose, written as the export of the working draft writes the report (YAML,
Markdown or PDF, with the same redaction summary), and saying which version it is.

The cut is made in two steps, as the export of the draft makes it: first to the person
(`reading.cut` at their own level and scope), then to the chosen level over what they
read. A pathway-limited reader's export at a lower level therefore keeps the evidence
that backs claims they read, as the draft's export does, and counts what the chosen level
left out among what they could read, never beyond it.
"""

from collections import defaultdict
from types import SimpleNamespace

from evidence.report_file.chains import steps_left_out
from evidence.report_file.defence import MARKDOWN_FIELDS
from evidence.report_file.exporting import ExportDocument
from evidence.report_file.figures import document_figures
from evidence.report_file.markdown import as_markdown
from evidence.report_file.writing import document_yaml, redacted_span_count, redaction_summary
from pathways.access import Access
from pathways.enums import RiskLevel
from pathways.text import level_allows
from versions.models import ReportVersion
from versions.reading import Reader, cut, reader_on

_TEXTS = {
    "pathways": ("critical_action", "argument"),
    "claims": ("rationale",),
    "evidence": ("summary",),
    "lines_of_defence": MARKDOWN_FIELDS,
}


def version_file_name(version: ReportVersion, *, slug: str, level: str, fmt: str) -> str:
    return f"{slug}-report-version-{version.number}-{level}.{fmt}"


def version_export_document(*, version: ReportVersion, access: Access, level: str, fmt: str) -> ExportDocument:
    """Version `version` as `access`'s person reads it at `level`, as `fmt` ("yaml", "md" or
    "pdf"). Raises ValueError when they cannot see the report or the level is above theirs."""
    reader = reader_on(access, version.report_id)
    if reader is None:
        raise ValueError("the person cannot see this report")
    if not level_allows(reader.level, level):
        raise ValueError(f"level '{level}' is above what the person may read ({reader.level})")
    own = cut(version.document, version.ids, reader)
    chosen = cut(own, version.ids, Reader(level=level, whole=True)) if level != reader.level else own
    summary = redaction_summary(
        level=level,
        redacted=_redacted_spans(version.document, chosen, level),
        claims_above_level=len(own.get("claims", [])) - len(chosen.get("claims", [])),
        evidence_above_level=len(own.get("evidence", [])) - len(chosen.get("evidence", [])),
        lines_above_level=len(own.get("lines_of_defence", [])) - len(chosen.get("lines_of_defence", [])),
        chains_above_level=len(own.get("detection_chains", [])) - len(chosen.get("detection_chains", [])),
        steps_above_level=steps_left_out(own.get("detection_chains", []), chosen.get("detection_chains", [])),
        limited_to_granted_pathways=len(own.get("pathways", [])) < len(version.document.get("pathways", [])),
    )
    if fmt == "yaml":
        return ExportDocument(document_yaml(chosen, level=level), summary)
    markdown = as_markdown(_DocumentView.of(chosen, version=version, level=level), summary)
    if fmt == "md":
        return ExportDocument(markdown, summary)
    from evidence.report_file.pdf import markdown_pdf  # noqa: PLC0415 (WeasyPrint only when a PDF is made)

    title = chosen["report"]["title"]
    pdf = markdown_pdf(markdown=markdown, level=level, title=title, figures=document_figures(chosen))
    return ExportDocument(pdf, summary)


def _redacted_spans(document: dict, chosen: dict, level: str) -> int:
    """Spans redacted at `level` in the text written, counted on the version's own text (as
    the draft's export counts them on the live text)."""
    texts = [document["report"].get("summary", ""), document["report"].get("conclusion", {}).get("text", "")]
    kept = {kind: {entry["slug"] for entry in chosen.get(kind, [])} for kind in _TEXTS}
    for kind, fields in _TEXTS.items():
        for entry in document.get(kind, []):
            if entry["slug"] in kept[kind]:
                texts += [entry.get(name, "") for name in fields]
                if kind == "pathways":
                    texts.append(entry.get("conclusion", {}).get("text", ""))
    return sum(redacted_span_count(text, level) for text in texts if text)


class _DocumentView(SimpleNamespace):
    """A reading in the shape the Markdown writer reads (exporting's `_ReportView`)."""

    @classmethod
    def of(cls, document: dict, *, version: ReportVersion, level: str) -> "_DocumentView":
        report = document["report"]
        teams = {team["slug"]: SimpleNamespace(**team) for team in document.get("teams", [])}

        def item(entry: dict, **more):
            return SimpleNamespace(**{**entry, "id": entry["slug"], "owner_team": teams[entry["owner_team"]], **more})

        def conclusion(entry: dict | None):
            entry = entry or {}
            return SimpleNamespace(
                risk_level=entry.get("risk_level", RiskLevel.NOT_ASSESSED), text=entry.get("text", "")
            )

        evidence = [
            item(entry, source=entry.get("source", ""), summary=entry.get("summary", ""))
            for entry in document.get("evidence", [])
        ]
        by_slug = {entry.slug: entry for entry in evidence}
        claims = [item(entry, rationale=entry.get("rationale", "")) for entry in document.get("claims", [])]
        claim_evidence = defaultdict(list)
        for claim, entry in zip(claims, document.get("claims", []), strict=True):
            claim_evidence[claim.id] = [
                SimpleNamespace(relation=link["relation"], evidence=by_slug[link["evidence"]])
                for link in entry.get("evidence", [])
            ]
        claims_by_slug = {claim.slug: claim for claim in claims}
        pathways, pathway_claims, conclusions = [], defaultdict(list), {None: conclusion(report.get("conclusion"))}
        for entry in document.get("pathways", []):
            pathways.append(
                SimpleNamespace(
                    id=entry["slug"],
                    slug=entry["slug"],
                    title=entry["title"],
                    critical_action=entry.get("critical_action", ""),
                    argument=entry.get("argument", ""),
                )
            )
            pathway_claims[entry["slug"]] = [claims_by_slug[slug] for slug in entry.get("claims", [])]
            conclusions[entry["slug"]] = conclusion(entry.get("conclusion"))
        cutoff = report.get("evidence_cutoff")  # ISO text, as the version keeps it
        published = f"{version.number}, “{version.name}”, published {version.published_at:%-d %B %Y}"
        return cls(
            level=level,
            report=SimpleNamespace(title=report["title"], summary=report.get("summary", "")),
            facts=[
                ("Model", report.get("model", "")),
                ("Report version", report.get("version", "")),
                ("Published version", published),
                ("Evidence cut-off", cutoff or ""),
            ],
            conclusions=conclusions,
            pathways=pathways,
            pathway_claims=pathway_claims,
            claims=claims,
            claim_evidence=claim_evidence,
            evidence=evidence,
            lines=document.get("lines_of_defence", []),
            chains=document.get("detection_chains", []),
            teams=list(teams.values()),
        )
