"""Writing a checked report file to the database (docs/report-format.md, "Import rules").

Rules:
- The whole document is validated first; on any error nothing is written. The writes then
  happen in one transaction.
- Teams are shared across reports: a team is found by slug or created, and its name and
  description are set from the file (an absent description is empty).
- Positions follow the order of the file: of pathways, claims and evidence in the report,
  of claims in a pathway's list and of evidence in a claim's list.
- A report gets an overall conclusion and every pathway a conclusion; an absent conclusion
  is `not_assessed` with no text.
- An update brings the report to the file's state. Pathways, claims, evidence, lines of
  defence and detection chains are matched
  by slug and changed in place, keeping their primary keys, so whatever is attached to them
  (comments, information requests, verdicts) stays attached; items gone from the file are
  deleted, new ones created, unless reviewers' findings are about one of them: then the
  import is refused, naming it. An item's `version` goes up when its content changes: its own
  fields or its list of claims or evidence links, not a move to another position. A
  conclusion's `revision` goes up only when its risk level or text changes, which is what
  makes verdicts on it stale. Nothing unchanged is saved, so repeating an update is a no-op.
"""

from django.db import transaction
from django.db.models import RestrictedError

from evidence.enums import Relation, Strength
from evidence.models import ClaimEvidence, DefenceClaim, DefenceEvidence, DetectionChain, Evidence, LineOfDefence
from evidence.report_file.chains import chains_save
from evidence.report_file.checks import as_date
from evidence.report_file.reading import ReportFileError, ReportFileInvalid, quoted
from evidence.report_file.saving import Links, changed, items_save
from evidence.report_file.validation import validate_report_document
from evidence.search import EVIDENCE
from pathways.enums import RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team
from pathways.search import documents_rebuild, search_index_argument


def report_import(*, document: dict, update: bool = False) -> Report:
    """Create the report of a parsed report file or, with `update`, bring an existing one to its state.

    Raises ReportFileInvalid, having written nothing, when the document has any error.
    """
    errors = validate_report_document(document, update=update)
    if errors:
        raise ReportFileInvalid(errors)
    with transaction.atomic():
        teams = _teams_save(document.get("teams") or [])
        report = _report_save(document["report"])
        evidence = _evidence_save(report=report, entries=document.get("evidence") or [], teams=teams)
        claims = _claims_save(report=report, entries=document.get("claims") or [], teams=teams, evidence=evidence)
        pathways = _pathways_save(report=report, entries=document.get("pathways") or [], claims=claims)
        _lines_save(
            report=report,
            entries=document.get("lines_of_defence") or [],
            teams=teams,
            pathways=pathways,
            claims=claims,
            evidence=evidence,
        )
        chains_save(
            report=report,
            chain_list=document.get("detection_chains") or [],
            teams=teams,
            pathways=pathways,
            evidence=evidence,
        )
        # Last, so that the link lists compared above still showed links to items now gone.
        sections = (
            (DetectionChain, "detection_chains"),
            (LineOfDefence, "lines_of_defence"),
            (Pathway, "pathways"),
            (Claim, "claims"),
            (Evidence, "evidence"),
        )
        for model, section in sections:
            kept = [entry["slug"] for entry in document.get(section) or []]
            _delete_gone(model.objects.filter(report=report).exclude(slug__in=kept), section)
        # The search documents of what the file wrote (those of what it deleted went with it).
        search_index_argument(report_ids=[report.pk])
        documents_rebuild(EVIDENCE, report_ids=[report.pk])
    return report


def _teams_save(entries: list[dict]) -> dict[str, Team]:
    teams = {}
    for entry in entries:
        values = {"name": entry["name"], "description": entry.get("description") or ""}
        team, created = Team.objects.get_or_create(slug=entry["slug"], defaults=values)
        if not created and changed(team, values):
            team.save()
        teams[team.slug] = team
    return teams


def _report_save(section: dict) -> Report:
    values = {
        "title": section["title"],
        "model_name": section["model"],
        "version": section.get("version") or "",
        "evidence_cutoff": as_date(section.get("evidence_cutoff")),
        "summary": section.get("summary") or "",
    }
    report = Report.objects.select_for_update().filter(slug=section["slug"]).first()
    if report is None:
        report = Report.objects.create(slug=section["slug"], **values)
    elif changed(report, values):
        report.save()
    _conclusion_save(report=report, pathway=None, entry=section.get("conclusion"))
    return report


def _conclusion_save(*, report: Report, pathway: Pathway | None, entry: dict | None) -> None:
    values = {
        "risk_level": (entry or {}).get("risk_level") or RiskLevel.NOT_ASSESSED,
        "text": (entry or {}).get("text") or "",
    }
    conclusion, created = Conclusion.objects.get_or_create(report=report, pathway=pathway, defaults=values)
    if not created and changed(conclusion, values):
        conclusion.revision += 1
        conclusion.save()


def _evidence_save(*, report: Report, entries: list[dict], teams: dict[str, Team]) -> dict[str, Evidence]:
    existing = {item.slug: item for item in Evidence.objects.filter(report=report)}
    rows = [
        (
            entry["slug"],
            position,
            {
                "title": entry["title"],
                "kind": entry["kind"],
                "owner_team_id": teams[entry["owner_team"]].id,
                "sensitivity": entry.get("sensitivity") or Sensitivity.PUBLIC,
                "summary": entry.get("summary") or "",
                "source": entry.get("source") or "",
            },
            False,
        )
        for position, entry in enumerate(entries)
    ]
    return items_save(Evidence, existing=existing, report=report, rows=rows)


def _claims_save(
    *, report: Report, entries: list[dict], teams: dict[str, Team], evidence: dict[str, Evidence]
) -> dict[str, Claim]:
    existing = {
        claim.slug: claim for claim in Claim.objects.filter(report=report).prefetch_related("evidence_links__evidence")
    }
    wanted_links, rows = {}, []
    for position, entry in enumerate(entries):
        links = [(link["evidence"], link.get("relation") or Relation.SUPPORTS) for link in entry.get("evidence") or []]
        wanted_links[entry["slug"]] = links
        content = {
            "statement": entry["statement"],
            "category": entry["category"],
            "owner_team_id": teams[entry["owner_team"]].id,
            "sensitivity": entry.get("sensitivity") or Sensitivity.PUBLIC,
            "rationale": entry.get("rationale") or "",
        }
        links_changed = entry["slug"] in existing and _evidence_links_of(existing[entry["slug"]]) != links
        rows.append((entry["slug"], position, content, links_changed))
    claims = items_save(Claim, existing=existing, report=report, rows=rows)
    evidence_links = Links(ClaimEvidence)
    for slug, claim in claims.items():
        evidence_links.bring(
            owner={"claim": claim},
            current=list(existing[slug].evidence_links.all()) if slug in existing else [],
            target="evidence_id",
            wanted=[{"evidence_id": evidence[item].id, "relation": relation} for item, relation in wanted_links[slug]],
        )
    evidence_links.save()
    return claims


def _evidence_links_of(claim: Claim) -> list[tuple[str, str]]:
    return [(link.evidence.slug, link.relation) for link in claim.evidence_links.all()]


def _claims_of(pathway: Pathway) -> list[str]:
    return [link.claim.slug for link in pathway.claim_links.all()]


def _pathways_save(*, report: Report, entries: list[dict], claims: dict[str, Claim]) -> dict[str, Pathway]:
    existing = {
        pathway.slug: pathway
        for pathway in Pathway.objects.filter(report=report).prefetch_related("claim_links__claim")
    }
    rows = []
    for position, entry in enumerate(entries):
        content = {
            "title": entry["title"],
            "critical_action": entry.get("critical_action") or "",
            "argument": entry.get("argument") or "",
        }
        links_changed = entry["slug"] in existing and _claims_of(existing[entry["slug"]]) != (entry.get("claims") or [])
        rows.append((entry["slug"], position, content, links_changed))
    pathways = items_save(Pathway, existing=existing, report=report, rows=rows)
    links = Links(PathwayClaim)
    for entry in entries:
        slug = entry["slug"]
        links.bring(
            owner={"pathway": pathways[slug]},
            current=list(existing[slug].claim_links.all()) if slug in existing else [],
            target="claim_id",
            wanted=[{"claim_id": claims[claim].id} for claim in entry.get("claims") or []],
        )
        _conclusion_save(report=report, pathway=pathways[slug], entry=entry.get("conclusion"))
    links.save()
    return pathways


def _slugs_of(links) -> list[str]:
    return [link.slug for link in links]


def _lines_save(
    *,
    report: Report,
    entries: list[dict],
    teams: dict[str, Team],
    pathways: dict[str, Pathway],
    claims: dict[str, Claim],
    evidence: dict[str, Evidence],
) -> None:
    existing = {
        line.slug: line
        for line in LineOfDefence.objects.filter(report=report).prefetch_related(
            "claim_links__claim", "evidence_links__evidence"
        )
    }
    rows = []
    for position, entry in enumerate(entries):
        content = {
            "pathway_id": pathways[entry["pathway"]].id,
            "title": entry["title"],
            "kind": entry["kind"],
            "stage": entry["stage"],
            "owner_team_id": teams[entry["owner_team"]].id,
            "sensitivity": entry.get("sensitivity") or Sensitivity.PUBLIC,
            "strength": entry.get("strength") or Strength.NOT_ASSESSED,
            "strength_reason": entry.get("strength_reason") or "",
        }
        line = existing.get(entry["slug"])
        links_changed = line is not None and (
            _slugs_of(link.claim for link in line.claim_links.all()) != (entry.get("claims") or [])
            or _slugs_of(link.evidence for link in line.evidence_links.all()) != (entry.get("evidence") or [])
        )
        rows.append((entry["slug"], position, content, links_changed))
    lines = items_save(LineOfDefence, existing=existing, report=report, rows=rows)
    claim_links, evidence_links = Links(DefenceClaim), Links(DefenceEvidence)
    for entry in entries:
        slug = entry["slug"]
        claim_links.bring(
            owner={"line": lines[slug]},
            current=list(existing[slug].claim_links.all()) if slug in existing else [],
            target="claim_id",
            wanted=[{"claim_id": claims[claim].id} for claim in entry.get("claims") or []],
        )
        evidence_links.bring(
            owner={"line": lines[slug]},
            current=list(existing[slug].evidence_links.all()) if slug in existing else [],
            target="evidence_id",
            wanted=[{"evidence_id": evidence[item].id} for item in entry.get("evidence") or []],
        )
    claim_links.save()
    evidence_links.save()


def _delete_gone(items, section: str) -> None:
    """Delete the items gone from the file, unless reviewers' findings are about one of them
    (a finding keeps its subject): then refuse the whole import, naming them."""
    gone = {item.pk: item.slug for item in items}
    try:
        items.delete()
    except RestrictedError as refused:
        held = sorted(
            {
                gone[held_id]
                for finding in refused.restricted_objects
                for held_id in _held(finding, items.model)
                if held_id in gone
            }
        )
        message = (
            f"{', '.join(quoted(slug) for slug in held)} cannot be removed: reviewers' findings are about "
            f"{'it' if len(held) == 1 else 'them'}; keep {'it' if len(held) == 1 else 'them'} in the file"
        )
        raise ReportFileInvalid([ReportFileError(section, message)]) from None


def _held(finding, model) -> list:
    """The ids of `model` (claims, pathways, lines or chains) a finding holds on: what it is
    about, and the pathway (and chain) that thing belongs to."""
    if model is Claim:
        return [finding.claim_id]
    if model is LineOfDefence:
        return [finding.line_id]
    step = finding.step if finding.step_id else None
    if model is DetectionChain:
        return [step.chain_id] if step else []
    if model is Pathway:
        line = finding.line if finding.line_id else None
        return [finding.pathway_id, line.pathway_id if line else None, step.chain.pathway_id if step else None]
    return []
