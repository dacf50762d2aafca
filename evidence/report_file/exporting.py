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
- Markdown is a document for people: included spans show as plain text in ⟦ ⟧, a first
  line states the level and what `[redacted]` means, and a second the redaction summary.
- PDF is that Markdown printed (evidence/report_file/pdf.py), followed by each pathway's
  argument map drawn from the same exported file (`evidence.argument_map.document_figures`):
  the same words and items, nothing more.
- With a `user`, the export is also cut to that person's scope, through the scope functions
  every page uses (`pathways_visible_to`, `claims_visible_to`, `evidence_visible_to`,
  `conclusions_visible_to`), and the level may not be above their own: a pathway-limited
  external reviewer gets their pathways and the claims and evidence under them, nothing else.
- The redaction summary counts the spans redacted in the text written, and what was left
  out that the reader could otherwise see: claims and evidence above the chosen level (of
  those in their scope and at or below their own level). When the reader is given only some
  of the pathways it says so, without a number, as the reading-as banner does. It never
  counts what the reader may not see at all (claims, evidence, pathways): a count would
  tell them how much exists.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject

from evidence.models import ClaimEvidence, DetectionChain, Evidence, LineOfDefence
from evidence.report_file.chains import chain_entries, chain_teams_of, cut_chains, steps_left_out
from evidence.report_file.defence import MARKDOWN_FIELDS, cut_lines, line_entry, with_link_slugs
from evidence.report_file.figures import document_figures
from evidence.report_file.markdown import as_markdown
from evidence.report_file.reading import FORMAT
from evidence.report_file.writing import document_yaml, redacted_span_count, redaction_summary, without_empty
from evidence.selectors import chains_visible_to, evidence_visible_to, lines_visible_to
from pathways.access import access_of
from pathways.enums import RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team, User
from pathways.selectors import claims_visible_to, conclusions_visible_to, pathways_visible_to
from pathways.selectors import readable as readable_by
from pathways.text import LEVELS, level_allows, redact

FORMATS = ("yaml", "md", "pdf")


@dataclass(frozen=True)
class ExportDocument:
    """An exported document: `content` (text for yaml and md, bytes for pdf) and the
    redaction summary, JSON-serialisable, whose `text` the Markdown and PDF state at the top."""

    content: str | bytes
    summary: dict


def report_export(*, report: Report, level: str, fmt: str = "yaml", user: User | None = None) -> str | bytes:
    """The report as a reader at `level` sees it, as `fmt` ("yaml", "md" or "pdf", which is bytes);
    with `user`, also cut to that person's scope. See `report_export_document`."""
    return report_export_document(report=report, level=level, fmt=fmt, user=user).content


def report_export_document(
    *, report: Report, level: str, fmt: str = "yaml", user: User | None = None
) -> ExportDocument:
    """The report as a reader at `level` sees it, with its redaction summary.

    Without `user` (the command line, run by an operator) the cut is by level alone. With
    `user`, only what that person may see, through the scope functions, and never above
    their own reading level. Raises ValueError for an unknown level or format, and for a
    level above the user's.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}': use one of {', '.join(LEVELS)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    if user is not None and not level_allows(user.reading_level, level):
        raise ValueError(f"level '{level}' is above what {user} may read ({user.reading_level})")
    view = _ReportView.load(report=report, level=level, user=user)
    summary = view.summary()
    if fmt == "yaml":
        return ExportDocument(_as_yaml(view), summary)
    markdown = as_markdown(view, summary)
    if fmt == "md":
        return ExportDocument(markdown, summary)
    # WeasyPrint (and the Pango it loads) is imported only when a PDF is made.
    from evidence.report_file.pdf import markdown_pdf  # noqa: PLC0415 (see the comment above)

    figures = document_figures(_as_document(view))
    return ExportDocument(markdown_pdf(markdown=markdown, level=level, title=report.title, figures=figures), summary)


@dataclass(frozen=True)
class _ReportView:
    """What a reader at `level` (and, with a user, in that user's scope) may see of a report,
    in the report's order (a handful of queries)."""

    level: str
    report: Report
    conclusions: dict[int | None, Conclusion]  # by pathway id; None for the overall one
    pathways: list[Pathway]
    pathway_claims: dict[int, list[Claim]]
    claims: list[Claim]
    claim_evidence: dict[int, list[ClaimEvidence]]
    evidence: list[Evidence]
    lines: list[dict]  # the lines of defence as the file writes them, text not yet redacted
    chains: list[dict]  # the detection chains as the file writes them (plain text only)
    teams: list[Team]
    scoped: bool  # cut to a person's scope as well as to the level
    claims_above_level: int  # in scope and readable by the person, but above `level`
    evidence_above_level: int
    lines_above_level: int
    chains_above_level: int
    steps_above_level: int
    limited_to_granted_pathways: bool  # the reader sees only some pathways; how many others is not said

    @classmethod
    def load(cls, *, report: Report, level: str, user: User | None = None) -> "_ReportView":
        readable = Sensitivity.at_or_below(level)
        if user is None:
            pathways = Pathway.objects.filter(report=report)
            claims_in_scope = Claim.objects.filter(report=report)
            evidence_in_scope = Evidence.objects.filter(report=report)
            conclusions = Conclusion.objects.filter(report=report)
            lines_in_scope = LineOfDefence.objects.filter(report=report)
            chains_in_scope, steps_in_scope = DetectionChain.objects.filter(report=report), None
        else:
            access = access_of(user)  # once for the whole export
            pathways = pathways_visible_to(access).filter(report=report)
            claims_in_scope = claims_visible_to(access).filter(report=report)
            evidence_in_scope = evidence_visible_to(access).filter(report=report)
            conclusions = conclusions_visible_to(access).filter(report=report)
            lines_in_scope = lines_visible_to(access).filter(report=report)
            chains_in_scope = chains_visible_to(access).filter(report=report)
            steps_in_scope = readable_by(access)
        included_claims = claims_in_scope.filter(sensitivity__in=readable)
        included_evidence = evidence_in_scope.filter(sensitivity__in=readable)
        # Each claim carries its links (to pathways, to evidence) as JSON, so that the whole
        # report is read in one query per kind of thing whatever its size.
        claims: list[Claim] = list(
            included_claims.select_related("owner_team").annotate(
                pathway_link_rows=links_of(PathwayClaim, pathway="pathway_id"),
                evidence_link_rows=links_of(ClaimEvidence, evidence="evidence_id", relation="relation"),
            )
        )
        evidence = list(included_evidence.select_related("owner_team"))
        pathway_list = list(pathways)
        shown_pathways, evidence_by_id = {pathway.pk for pathway in pathway_list}, {item.pk: item for item in evidence}
        resting: list[tuple[int, int, int, Claim]] = []
        claim_evidence: defaultdict[int, list[ClaimEvidence]] = defaultdict(list)
        for claim in claims:
            pathway_rows, evidence_rows = _link_rows(claim)
            resting += [
                (row["pathway"], row["position"], row["id"], claim)
                for row in pathway_rows
                if row["pathway"] in shown_pathways
            ]
            for row in sorted(evidence_rows, key=link_order):
                if row["evidence"] in evidence_by_id:
                    claim_evidence[claim.pk].append(
                        ClaimEvidence(claim=claim, evidence=evidence_by_id[row["evidence"]], relation=row["relation"])
                    )
        pathway_claims: defaultdict[int, list[Claim]] = defaultdict(list)
        for pathway_id, _, _, resting_claim in sorted(resting, key=lambda row: row[:3]):
            pathway_claims[pathway_id].append(resting_claim)
        lines, lines_in_reach, line_teams = _lines(
            lines_in_scope, pathways=pathway_list, claims=claims, evidence=evidence, readable=readable
        )
        chain_list, chain_teams = chain_entries(chains_in_scope, steps_in_scope)
        shown = {pathway.slug for pathway in pathway_list}
        chains_in_reach = [entry for entry in chain_list if entry["pathway"] in shown]
        evidence_slugs = {item.slug for item in evidence}
        chains = cut_chains(chains_in_reach, pathways=shown, evidence=evidence_slugs, readable=set(readable))
        owned: list[Claim | Evidence] = [*claims, *evidence]
        teams = {item.owner_team.slug: item.owner_team for item in owned}
        teams.update((entry["owner_team"], line_teams[entry["owner_team"]]) for entry in lines)
        teams.update((slug, chain_teams[slug]) for slug in chain_teams_of(chains))
        limited = bool(user) and Pathway.objects.filter(report=report).exclude(id__in=pathways.values("id")).exists()
        return cls(
            level=level,
            report=report,
            conclusions={conclusion.pathway_id: conclusion for conclusion in conclusions},
            pathways=pathway_list,
            pathway_claims=pathway_claims,
            claims=claims,
            claim_evidence=claim_evidence,
            evidence=evidence,
            lines=lines,
            chains=chains,
            teams=[teams[slug] for slug in sorted(teams)],
            scoped=user is not None,
            # Nothing is above the internal level: no need to count it.
            claims_above_level=_above(claims_in_scope, readable, level),
            evidence_above_level=_above(evidence_in_scope, readable, level),
            lines_above_level=lines_in_reach - len(lines),
            chains_above_level=len(chains_in_reach) - len(chains),
            steps_above_level=steps_left_out(chains_in_reach, chains),
            limited_to_granted_pathways=limited,
        )

    def written_markdown(self) -> list[str]:
        """Every Markdown field the export writes (those of included items only)."""
        report = self.report
        fields = [report.summary, *(conclusion.text for conclusion in self.conclusions.values())]
        for pathway in self.pathways:
            fields += [pathway.critical_action, pathway.argument]
        fields += [claim.rationale for claim in self.claims]
        fields += [evidence.summary for evidence in self.evidence]
        fields += [entry.get(name, "") for entry in self.lines for name in MARKDOWN_FIELDS]
        return fields

    def summary(self) -> dict:
        redacted = sum(redacted_span_count(text, self.level) for text in self.written_markdown() if text)
        return redaction_summary(
            level=self.level,
            redacted=redacted,
            claims_above_level=self.claims_above_level,
            evidence_above_level=self.evidence_above_level,
            lines_above_level=self.lines_above_level,
            chains_above_level=self.chains_above_level,
            steps_above_level=self.steps_above_level,
            limited_to_granted_pathways=self.limited_to_granted_pathways,
        )


def report_section(report: Report, *, summary: str, conclusion: dict | None) -> dict:
    """The file's `report` mapping: the report's own fields, its summary and overall conclusion as written."""
    return without_empty(
        {
            "slug": report.slug,
            "title": report.title,
            "model": report.model_name,
            "version": report.version,
            "evidence_cutoff": report.evidence_cutoff,
            "summary": summary,
            "conclusion": conclusion,
        }
    )


def links_of(model, **columns) -> Subquery:
    """A claim's link rows of `model` as a JSON list of `columns` with their position and id."""
    rows = JSONObject(**columns, position="position", id="id")
    return Subquery(
        model.objects.filter(claim_id=OuterRef("pk"))
        .order_by()
        .values("claim_id")
        .annotate(rows=JSONBAgg(rows))
        .values("rows")
    )


def link_order(row: dict) -> tuple:
    """Link rows of `links_of` in the order the author wrote them."""
    return row["position"], row["id"]


def _link_rows(claim) -> tuple[list[dict], list[dict]]:
    """The claim's pathway and evidence link rows, as `_ReportView.load` annotated them."""
    return claim.pathway_link_rows or [], claim.evidence_link_rows or []


def _lines(lines_in_scope, *, pathways, claims, evidence, readable) -> tuple[list[dict], int, dict[str, Team]]:
    """The lines of defence on the pathways written, as entries cut to the level (with the
    claims and evidence written), how many the reader has on those pathways at any level
    they read, and the lines' teams by slug (one query)."""
    found: list = list(with_link_slugs(lines_in_scope.select_related("pathway", "owner_team")))  # annotated rows
    entries = [
        line_entry(
            slug=line.slug,
            pathway=line.pathway.slug,
            title=line.title,
            kind=line.kind,
            stage=line.stage,
            owner_team=line.owner_team.slug,
            sensitivity=line.sensitivity,
            strength=line.strength,
            strength_reason=line.strength_reason,
            claims=list(line.claim_slugs or []),
            evidence=list(line.evidence_slugs or []),
        )
        for line in found
    ]
    on_pathways = {pathway.slug for pathway in pathways}
    in_reach = [entry for entry in entries if entry["pathway"] in on_pathways]
    kept = cut_lines(
        in_reach,
        pathways=on_pathways,
        claims={claim.slug for claim in claims},
        evidence={item.slug for item in evidence},
        readable=set(readable),
    )
    return kept, len(in_reach), {line.owner_team.slug: line.owner_team for line in found}


def _above(items, readable: list[str], level: str) -> int:
    return 0 if level == Sensitivity.INTERNAL else items.exclude(sensitivity__in=readable).count()


def report_document(*, report: Report, level: str = Sensitivity.INTERNAL, user: User | None = None) -> dict:
    """The report file a YAML export writes, as data (dates as they are), before dumping:
    what a published version keeps (at the internal level, with no user)."""
    return _as_document(_ReportView.load(report=report, level=level, user=user))


def _as_yaml(view: _ReportView) -> str:
    return document_yaml(_as_document(view), level=view.level)


def _as_document(view: _ReportView) -> dict:
    def markdown(text: str) -> str:
        return redact(text, view.level, keep_markers=True)

    def conclusion(pathway_id: int | None) -> dict | None:
        found = view.conclusions.get(pathway_id)
        if found is None or (found.risk_level == RiskLevel.NOT_ASSESSED and not found.text):
            return None
        return without_empty({"risk_level": found.risk_level, "text": markdown(found.text)})

    report = view.report
    document = {
        "format": FORMAT,
        "report": report_section(report, summary=markdown(report.summary), conclusion=conclusion(None)),
        "teams": [
            without_empty({"slug": team.slug, "name": team.name, "description": team.description})
            for team in view.teams
        ],
        "pathways": [
            without_empty(
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
            without_empty(
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
            without_empty(
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
        "lines_of_defence": [
            {**entry, **{name: markdown(entry[name]) for name in MARKDOWN_FIELDS if name in entry}}
            for entry in view.lines
        ],
        "detection_chains": view.chains,
    }
    return without_empty(document)
