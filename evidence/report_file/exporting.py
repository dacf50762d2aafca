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
- PDF is that Markdown printed (evidence/report_file/pdf.py): the same words, nothing more.
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

import yaml
from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject

from evidence.models import ClaimEvidence, Evidence
from evidence.report_file.markdown import as_markdown
from evidence.report_file.reading import FORMAT
from evidence.selectors import evidence_visible_to
from pathways.access import access_of
from pathways.enums import RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team, User
from pathways.selectors import claims_visible_to, conclusions_visible_to, pathways_visible_to
from pathways.text import LEVELS, REDACTED, level_allows, redact

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

    return ExportDocument(markdown_pdf(markdown=markdown, level=level, title=report.title), summary)


def redacted_span_count(text: str, level: str) -> int:
    """How many spans of `text` a reader at `level` sees as `[redacted]`.

    Counted on the redacted text, after taking out any `[redacted]` the author typed, so
    it agrees with `redact` however the spans are written (malformed spans fail closed
    there, and are counted as they are redacted).
    """
    return redact(text.replace(REDACTED, "\u00b7"), level).count(REDACTED)


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


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
    teams: list[Team]
    scoped: bool  # cut to a person's scope as well as to the level
    claims_above_level: int  # in scope and readable by the person, but above `level`
    evidence_above_level: int
    limited_to_granted_pathways: bool  # the reader sees only some pathways; how many others is not said

    @classmethod
    def load(cls, *, report: Report, level: str, user: User | None = None) -> "_ReportView":
        readable = Sensitivity.at_or_below(level)
        if user is None:
            pathways = Pathway.objects.filter(report=report)
            claims_in_scope = Claim.objects.filter(report=report)
            evidence_in_scope = Evidence.objects.filter(report=report)
            conclusions = Conclusion.objects.filter(report=report)
        else:
            access = access_of(user)  # once for the whole export
            pathways = pathways_visible_to(access).filter(report=report)
            claims_in_scope = claims_visible_to(access).filter(report=report)
            evidence_in_scope = evidence_visible_to(access).filter(report=report)
            conclusions = conclusions_visible_to(access).filter(report=report)
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
        owned: list[Claim | Evidence] = [*claims, *evidence]
        teams = {item.owner_team.slug: item.owner_team for item in owned}
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
            teams=[teams[slug] for slug in sorted(teams)],
            scoped=user is not None,
            # Nothing is above the internal level: no need to count it.
            claims_above_level=_above(claims_in_scope, readable, level),
            evidence_above_level=_above(evidence_in_scope, readable, level),
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
        return fields

    def summary(self) -> dict:
        redacted = sum(redacted_span_count(text, self.level) for text in self.written_markdown() if text)
        return redaction_summary(
            level=self.level,
            redacted=redacted,
            claims_above_level=self.claims_above_level,
            evidence_above_level=self.evidence_above_level,
            limited_to_granted_pathways=self.limited_to_granted_pathways,
        )


def redaction_summary(
    *, level: str, redacted: int, claims_above_level: int, evidence_above_level: int, limited_to_granted_pathways: bool
) -> dict:
    """What an export left out, as counts and as the sentence its Markdown states at the top."""
    parts = []
    if redacted:
        parts.append(f"{_plural(redacted, 'passage')} redacted")
    above = [
        _plural(count, noun, plural)
        for count, noun, plural in (
            (claims_above_level, "claim", None),
            (evidence_above_level, "evidence item", None),
        )
        if count
    ]
    if above:
        parts.append(f"{' and '.join(above)} above level {level} left out")
    if limited_to_granted_pathways:
        parts.append("only the pathways granted to the requester are included, with what rests on them")
    text = "Redaction summary: " + ("; ".join(parts) if parts else "nothing redacted or left out") + "."
    return {
        "level": level,
        "redacted_spans": redacted,
        "claims_above_level": claims_above_level,
        "evidence_above_level": evidence_above_level,
        "limited_to_granted_pathways": limited_to_granted_pathways,
        "text": text,
    }


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists, `|` for multi-line text, and never an alias."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style where a block cannot hold the text exactly, but it
    # writes the Unicode line breaks NEL, LS and PS raw, and reads them back as "\n" or " ".
    style: str | None
    if any(line_break in text for line_break in "\x85\u2028\u2029"):  # noqa: SIM108 - three cases read better apart
        style = '"'
    else:
        style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(text), style=style)


_Dumper.add_representer(str, _represent_text)
_Dumper.add_multi_representer(str, _represent_text)  # TextChoices members are str subclasses


def without_empty(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in ("", None, [], {})}


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


def _above(items, readable: list[str], level: str) -> int:
    return 0 if level == Sensitivity.INTERNAL else items.exclude(sensitivity__in=readable).count()


def report_document(*, report: Report, level: str = Sensitivity.INTERNAL, user: User | None = None) -> dict:
    """The report file a YAML export writes, as data (dates as they are), before dumping:
    what a published version keeps (at the internal level, with no user)."""
    return _as_document(_ReportView.load(report=report, level=level, user=user))


def _as_yaml(view: _ReportView) -> str:
    return document_yaml(_as_document(view), level=view.level)


def document_yaml(document: dict, *, level: str) -> str:
    """A report file's data as the YAML an export writes, with the line that states its level."""
    header = (
        f"# {FORMAT} export of '{document['report']['slug']}' for readers at level {level}: "
        f"items above it are left out, and {REDACTED} marks text above it.\n"
    )
    return header + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=float("inf"))


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
    }
    return without_empty(document)
