"""Checking a `riskreport/1` document (docs/report-format.md), once read
(`evidence.report_file.reading`).

Checking (`validate_report_document`) collects every error, each with the path of the value
it is about (`claims[3].owner_team`, list indexes counted from 0). The shape of every value is
checked first, then slugs and references, and errors come in that order. The rules:
- `format` is exactly `riskreport/1`; `report` is required; `teams`, `pathways`, `claims`,
  `evidence`, `lines_of_defence` and `detection_chains` are optional lists.
- Unknown keys are errors at every level. Required keys must be present and, for text,
  not blank. A key given as `null` (or left empty) counts as absent.
- Text is a string (a YAML number or date must be quoted), without NUL characters and no
  longer than its database column; slugs match ^[a-z0-9][a-z0-9-]{0,63}$;
  `evidence_cutoff` is an ISO date (YYYY-MM-DD, a YAML date or a string); enumerated values
  are those of the TextChoices in pathways/enums.py and evidence/enums.py.
- Markdown fields (summaries, conclusion texts, critical actions, arguments, rationales,
  a line of defence's strength reason)
  must have well-formed redaction spans. Plain-text fields (titles, statements, names...)
  may hold no spans at all: they are never redacted, so a span there would leak.
- Slugs are unique among the teams, pathways, claims and evidence of the file; a pathway
  lists a claim once and a claim links an evidence item once; `owner_team`, a pathway's
  claims and a claim's evidence name items of this file.
- A line of defence names a pathway of the file, claims that pathway rests on (each once)
  and evidence of the file (each once); line slugs are unique in the file.
- Detection chains follow the rules of `evidence.report_file.chains`.
- The report's slug must not exist yet, unless the import is an update.
"""

import re
from typing import Any

from evidence.enums import DefenceKind, DefenceStage, EvidenceKind, Relation, Strength
from evidence.models import Evidence, LineOfDefence
from evidence.report_file.chains import SPEC as CHAINS
from evidence.report_file.chains import check_chains
from evidence.report_file.checks import (
    Key,
    choice,
    column,
    date_check,
    entries,
    format_check,
    listing,
    mapping,
    markdown,
    plain,
    reference,
    references,
    slug_check,
    unique_slugs,
)
from evidence.report_file.reading import FILE, ReportFileError, not_a_mapping, quoted
from pathways.enums import ClaimCategory, RiskLevel, Sensitivity
from pathways.models import SLUG_PATTERN, Pathway, Report, Team

MAX_ERRORS = 200  # enough to fix a file by; a file of nothing but mistakes must not flood the terminal


_CONCLUSION = mapping({"risk_level": Key(choice(RiskLevel), required=True), "text": Key(markdown)})
_DOCUMENT = mapping(
    {
        "format": Key(format_check, required=True),
        "report": Key(
            mapping(
                {
                    "slug": Key(slug_check, required=True),
                    "title": Key(column(Report, "title"), required=True),
                    "model": Key(column(Report, "model_name"), required=True),
                    "version": Key(column(Report, "version")),
                    "evidence_cutoff": Key(date_check),
                    "summary": Key(markdown),
                    "conclusion": Key(_CONCLUSION),
                }
            ),
            required=True,
        ),
        "teams": Key(
            listing(
                mapping(
                    {
                        "slug": Key(slug_check, required=True),
                        "name": Key(column(Team, "name"), required=True),
                        "description": Key(plain()),
                    }
                )
            )
        ),
        "pathways": Key(
            listing(
                mapping(
                    {
                        "slug": Key(slug_check, required=True),
                        "title": Key(column(Pathway, "title"), required=True),
                        "critical_action": Key(markdown),
                        "argument": Key(markdown),
                        "conclusion": Key(_CONCLUSION),
                        "claims": Key(listing(plain())),
                    }
                )
            )
        ),
        "claims": Key(
            listing(
                mapping(
                    {
                        "slug": Key(slug_check, required=True),
                        "statement": Key(plain(), required=True),
                        "category": Key(choice(ClaimCategory), required=True),
                        "owner_team": Key(plain(), required=True),
                        "sensitivity": Key(choice(Sensitivity)),
                        "rationale": Key(markdown),
                        "evidence": Key(
                            listing(
                                mapping({"evidence": Key(plain(), required=True), "relation": Key(choice(Relation))})
                            )
                        ),
                    }
                )
            )
        ),
        "evidence": Key(
            listing(
                mapping(
                    {
                        "slug": Key(slug_check, required=True),
                        "title": Key(column(Evidence, "title"), required=True),
                        "kind": Key(choice(EvidenceKind), required=True),
                        "owner_team": Key(plain(), required=True),
                        "sensitivity": Key(choice(Sensitivity)),
                        "summary": Key(markdown),
                        "source": Key(column(Evidence, "source")),
                    }
                )
            )
        ),
        "lines_of_defence": Key(
            listing(
                mapping(
                    {
                        "slug": Key(slug_check, required=True),
                        "pathway": Key(plain(), required=True),
                        "title": Key(column(LineOfDefence, "title"), required=True),
                        "kind": Key(choice(DefenceKind), required=True),
                        "stage": Key(choice(DefenceStage), required=True),
                        "owner_team": Key(plain(), required=True),
                        "sensitivity": Key(choice(Sensitivity)),
                        "strength": Key(choice(Strength)),
                        "strength_reason": Key(markdown),
                        "claims": Key(listing(plain())),
                        "evidence": Key(listing(plain())),
                    }
                )
            )
        ),
        "detection_chains": CHAINS,
    }
)


def validate_report_document(document: Any, *, update: bool = False) -> list[ReportFileError]:
    """Every error in a parsed report file, in file order; an empty list means it can be imported."""
    if not isinstance(document, dict):
        return [ReportFileError(FILE, not_a_mapping(document))]
    errors: list[ReportFileError] = []
    _DOCUMENT(document, "", errors)
    teams = unique_slugs(document, "teams", "team", errors)
    claims = unique_slugs(document, "claims", "claim", errors)
    evidence = unique_slugs(document, "evidence", "evidence", errors)
    pathways = unique_slugs(document, "pathways", "pathway", errors)
    unique_slugs(document, "lines_of_defence", "line of defence", errors)
    for section in ("claims", "evidence", "lines_of_defence"):
        for path, entry in entries(document, section):
            reference(entry.get("owner_team"), teams, f"{path}.owner_team", "team", errors)
    for path, entry in entries(document, "pathways"):
        if isinstance(entry.get("claims"), list):
            references(entry["claims"], claims, f"{path}.claims", "claim", errors)
    for path, entry in entries(document, "claims"):
        links = entry.get("evidence")
        if isinstance(links, list):
            slugs = [link.get("evidence") if isinstance(link, dict) else None for link in links]
            references(slugs, evidence, f"{path}.evidence", "evidence", errors, suffix=".evidence")
    _check_lines(document, pathways, claims, evidence, errors)
    check_chains(document, pathways=pathways, teams=teams, evidence=evidence, errors=errors)
    _check_report_is_new(document.get("report"), update, errors)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], ReportFileError(FILE, f"{more} more errors not shown; fix these first")]
    return errors


def _check_lines(document: dict, pathways: set, claims: set, evidence: set, errors: list[ReportFileError]) -> None:
    """A line names a pathway of the file, claims that pathway rests on, and evidence of the file."""
    resting = {
        entry.get("slug"): set(entry["claims"]) if isinstance(entry.get("claims"), list) else set()
        for _, entry in entries(document, "pathways")
        if isinstance(entry.get("slug"), str)
    }
    for path, entry in entries(document, "lines_of_defence"):
        pathway = entry.get("pathway")
        reference(pathway, pathways, f"{path}.pathway", "pathway", errors)
        if isinstance(entry.get("claims"), list):
            references(entry["claims"], claims, f"{path}.claims", "claim", errors)
            if isinstance(pathway, str) and pathway in resting:
                for index, slug in enumerate(entry["claims"]):
                    if isinstance(slug, str) and slug in claims and slug not in resting[pathway]:
                        message = f"claim {quoted(slug)} is not one its pathway {quoted(pathway)} rests on"
                        errors.append(ReportFileError(f"{path}.claims[{index}]", message))
        if isinstance(entry.get("evidence"), list):
            references(entry["evidence"], evidence, f"{path}.evidence", "evidence", errors)


def _check_report_is_new(report: Any, update: bool, errors: list[ReportFileError]) -> None:
    if update or not isinstance(report, dict):
        return
    slug = report.get("slug")
    if isinstance(slug, str) and re.fullmatch(SLUG_PATTERN, slug) and Report.objects.filter(slug=slug).exists():
        message = f"a report '{slug}' already exists; import with --update to bring it to this file's state"
        errors.append(ReportFileError("report.slug", message))
