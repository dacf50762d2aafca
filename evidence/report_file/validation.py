"""Checking a `riskreport/1` document (docs/report-format.md), once read
(`evidence.report_file.reading`).

Checking (`validate_report_document`) collects every error, each with the path of the value
it is about (`claims[3].owner_team`, list indexes counted from 0). The shape of every value is
checked first, then slugs and references, and errors come in that order. The rules:
- `format` is exactly `riskreport/1`; `report` is required; `teams`, `pathways`, `claims`,
  `evidence` and `lines_of_defence` are optional lists.
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
- The report's slug must not exist yet, unless the import is an update.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models

from evidence.enums import DefenceKind, DefenceStage, EvidenceKind, Relation, Strength
from evidence.models import Evidence, LineOfDefence
from evidence.report_file.reading import (
    FILE,
    FORMAT,
    ReportFileError,
    describe,
    not_a_mapping,
    quoted,
)
from pathways.enums import ClaimCategory, RiskLevel, Sensitivity
from pathways.models import SLUG_PATTERN, Pathway, Report, Team
from pathways.text import has_span_markup, span_errors

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_ERRORS = 200  # enough to fix a file by; a file of nothing but mistakes must not flood the terminal


def as_date(value: date | str | None) -> date | None:
    """`evidence_cutoff` as a date, from a valid document's YAML date or ISO string."""
    return date.fromisoformat(value) if isinstance(value, str) else value


# The shape of the format. A check appends the errors of one value, given its path.
Check = Callable[[Any, str, list[ReportFileError]], None]


@dataclass(frozen=True)
class _Key:
    check: Check
    required: bool = False


def _is_string(value: Any, path: str, errors: list[ReportFileError]) -> bool:
    if isinstance(value, str):
        if "\x00" not in value:
            return True
        errors.append(ReportFileError(path, "must not contain NUL characters"))
        return False
    hint = " (put it in quotes)" if isinstance(value, (bool, int, float, date)) else ""
    errors.append(ReportFileError(path, f"must be a string, not {describe(value)}{hint}"))
    return False


def _text(max_length: int | None = None) -> Check:
    """Plain text: a string, within `max_length`, without redaction spans."""

    def check(value, path, errors):
        if not _is_string(value, path, errors):
            return
        if max_length and len(value) > max_length:
            errors.append(ReportFileError(path, f"is {len(value)} characters long; the limit is {max_length}"))
        if has_span_markup(value):
            errors.append(ReportFileError(path, "redaction spans are only allowed in Markdown fields"))

    return check


def _column(model: type[models.Model], field: str) -> Check:
    """Plain text limited to the length of the column it is stored in."""
    column = model._meta.get_field(field)
    assert isinstance(column, models.Field)  # a column, not a relation
    return _text(column.max_length)


def _markdown(value, path, errors):
    if _is_string(value, path, errors):
        errors.extend(ReportFileError(path, message) for message in span_errors(value))


def _slug(value, path, errors):
    if _is_string(value, path, errors) and not re.fullmatch(SLUG_PATTERN, value):
        errors.append(
            ReportFileError(
                path,
                f"{quoted(value)} is not a valid slug: lower-case letters, digits and hyphens, "
                "at most 64, starting with a letter or digit",
            )
        )


def _date(value, path, errors):
    if type(value) is date:  # a datetime is a date too, but not an ISO date
        return
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return
        except ValueError:
            pass
    errors.append(ReportFileError(path, f"must be an ISO date such as 2025-08-20, not {describe(value)}"))


def _choice(choices: type[models.TextChoices]) -> Check:
    def check(value, path, errors):
        if _is_string(value, path, errors) and value not in choices.values:
            errors.append(ReportFileError(path, f"{quoted(value)} is not one of: {', '.join(choices.values)}"))

    return check


def _format(value, path, errors):
    if value != FORMAT:
        errors.append(ReportFileError(path, f"must be exactly '{FORMAT}', not {describe(value)}"))


def _mapping(keys: dict[str, _Key]) -> Check:
    """A mapping with exactly these keys: unknown ones are errors, required ones must be there."""

    def check(value, path, errors):
        if not isinstance(value, dict):
            errors.append(ReportFileError(path, f"must be a mapping, not {describe(value)}"))
            return
        for key in value:
            if key not in keys:
                errors.append(ReportFileError(_join(path, key), f"unknown key (expected one of: {', '.join(keys)})"))
        for key, spec in keys.items():
            given = value.get(key)
            if given is None:
                if spec.required:
                    errors.append(ReportFileError(_join(path, key), "missing: this key is required"))
            elif spec.required and isinstance(given, str) and not given.strip():
                errors.append(ReportFileError(_join(path, key), "must not be blank"))
            else:
                spec.check(given, _join(path, key), errors)

    return check


def _list(item: Check) -> Check:
    def check(value, path, errors):
        if not isinstance(value, list):
            errors.append(ReportFileError(path, f"must be a list, not {describe(value)}"))
            return
        for index, entry in enumerate(value):
            item(entry, f"{path}[{index}]", errors)

    return check


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


_CONCLUSION = _mapping({"risk_level": _Key(_choice(RiskLevel), required=True), "text": _Key(_markdown)})
_DOCUMENT = _mapping(
    {
        "format": _Key(_format, required=True),
        "report": _Key(
            _mapping(
                {
                    "slug": _Key(_slug, required=True),
                    "title": _Key(_column(Report, "title"), required=True),
                    "model": _Key(_column(Report, "model_name"), required=True),
                    "version": _Key(_column(Report, "version")),
                    "evidence_cutoff": _Key(_date),
                    "summary": _Key(_markdown),
                    "conclusion": _Key(_CONCLUSION),
                }
            ),
            required=True,
        ),
        "teams": _Key(
            _list(
                _mapping(
                    {
                        "slug": _Key(_slug, required=True),
                        "name": _Key(_column(Team, "name"), required=True),
                        "description": _Key(_text()),
                    }
                )
            )
        ),
        "pathways": _Key(
            _list(
                _mapping(
                    {
                        "slug": _Key(_slug, required=True),
                        "title": _Key(_column(Pathway, "title"), required=True),
                        "critical_action": _Key(_markdown),
                        "argument": _Key(_markdown),
                        "conclusion": _Key(_CONCLUSION),
                        "claims": _Key(_list(_text())),
                    }
                )
            )
        ),
        "claims": _Key(
            _list(
                _mapping(
                    {
                        "slug": _Key(_slug, required=True),
                        "statement": _Key(_text(), required=True),
                        "category": _Key(_choice(ClaimCategory), required=True),
                        "owner_team": _Key(_text(), required=True),
                        "sensitivity": _Key(_choice(Sensitivity)),
                        "rationale": _Key(_markdown),
                        "evidence": _Key(
                            _list(
                                _mapping(
                                    {"evidence": _Key(_text(), required=True), "relation": _Key(_choice(Relation))}
                                )
                            )
                        ),
                    }
                )
            )
        ),
        "evidence": _Key(
            _list(
                _mapping(
                    {
                        "slug": _Key(_slug, required=True),
                        "title": _Key(_column(Evidence, "title"), required=True),
                        "kind": _Key(_choice(EvidenceKind), required=True),
                        "owner_team": _Key(_text(), required=True),
                        "sensitivity": _Key(_choice(Sensitivity)),
                        "summary": _Key(_markdown),
                        "source": _Key(_column(Evidence, "source")),
                    }
                )
            )
        ),
        "lines_of_defence": _Key(
            _list(
                _mapping(
                    {
                        "slug": _Key(_slug, required=True),
                        "pathway": _Key(_text(), required=True),
                        "title": _Key(_column(LineOfDefence, "title"), required=True),
                        "kind": _Key(_choice(DefenceKind), required=True),
                        "stage": _Key(_choice(DefenceStage), required=True),
                        "owner_team": _Key(_text(), required=True),
                        "sensitivity": _Key(_choice(Sensitivity)),
                        "strength": _Key(_choice(Strength)),
                        "strength_reason": _Key(_markdown),
                        "claims": _Key(_list(_text())),
                        "evidence": _Key(_list(_text())),
                    }
                )
            )
        ),
    }
)


def validate_report_document(document: Any, *, update: bool = False) -> list[ReportFileError]:
    """Every error in a parsed report file, in file order; an empty list means it can be imported."""
    if not isinstance(document, dict):
        return [ReportFileError(FILE, not_a_mapping(document))]
    errors: list[ReportFileError] = []
    _DOCUMENT(document, "", errors)
    teams = _unique_slugs(document, "teams", "team", errors)
    claims = _unique_slugs(document, "claims", "claim", errors)
    evidence = _unique_slugs(document, "evidence", "evidence", errors)
    pathways = _unique_slugs(document, "pathways", "pathway", errors)
    _unique_slugs(document, "lines_of_defence", "line of defence", errors)
    for section in ("claims", "evidence", "lines_of_defence"):
        for path, entry in _entries(document, section):
            _reference(entry.get("owner_team"), teams, f"{path}.owner_team", "team", errors)
    for path, entry in _entries(document, "pathways"):
        if isinstance(entry.get("claims"), list):
            _references(entry["claims"], claims, f"{path}.claims", "claim", errors)
    for path, entry in _entries(document, "claims"):
        links = entry.get("evidence")
        if isinstance(links, list):
            slugs = [link.get("evidence") if isinstance(link, dict) else None for link in links]
            _references(slugs, evidence, f"{path}.evidence", "evidence", errors, suffix=".evidence")
    _check_lines(document, pathways, claims, evidence, errors)
    _check_report_is_new(document.get("report"), update, errors)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = [*errors[:MAX_ERRORS], ReportFileError(FILE, f"{more} more errors not shown; fix these first")]
    return errors


def _entries(document: dict, section: str) -> Iterator[tuple[str, dict]]:
    """The mappings of a top-level list, with their paths; anything else was reported already."""
    entries = document.get(section)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                yield f"{section}[{index}]", entry


def _unique_slugs(document: dict, section: str, noun: str, errors: list[ReportFileError]) -> set[str]:
    """The slugs of a section (valid or not, so one bad slug is one error), reporting duplicates."""
    first_at: dict[str, str] = {}
    for path, entry in _entries(document, section):
        slug = entry.get("slug")
        if not isinstance(slug, str):
            continue
        if slug in first_at:
            message = f"duplicate {noun} slug {quoted(slug)} (first used at {first_at[slug]})"
            errors.append(ReportFileError(f"{path}.slug", message))
        else:
            first_at[slug] = path
    return set(first_at)


def _reference(slug: Any, known: set[str], path: str, noun: str, errors: list[ReportFileError]) -> None:
    if isinstance(slug, str) and slug.strip() and slug not in known:
        errors.append(ReportFileError(path, f"unknown {noun} {quoted(slug)}"))


def _references(
    slugs: list, known: set[str], path: str, noun: str, errors: list[ReportFileError], *, suffix: str = ""
) -> None:
    """A list of references: each must resolve, and none may repeat."""
    seen = set()
    for index, slug in enumerate(slugs):
        entry_path = f"{path}[{index}]{suffix}"
        _reference(slug, known, entry_path, noun, errors)
        if isinstance(slug, str):
            if slug in seen:
                errors.append(ReportFileError(entry_path, f"{noun} {quoted(slug)} is listed twice"))
            seen.add(slug)


def _check_lines(document: dict, pathways: set, claims: set, evidence: set, errors: list[ReportFileError]) -> None:
    """A line names a pathway of the file, claims that pathway rests on, and evidence of the file."""
    resting = {
        entry.get("slug"): set(entry["claims"]) if isinstance(entry.get("claims"), list) else set()
        for _, entry in _entries(document, "pathways")
        if isinstance(entry.get("slug"), str)
    }
    for path, entry in _entries(document, "lines_of_defence"):
        pathway = entry.get("pathway")
        _reference(pathway, pathways, f"{path}.pathway", "pathway", errors)
        if isinstance(entry.get("claims"), list):
            _references(entry["claims"], claims, f"{path}.claims", "claim", errors)
            if isinstance(pathway, str) and pathway in resting:
                for index, slug in enumerate(entry["claims"]):
                    if isinstance(slug, str) and slug in claims and slug not in resting[pathway]:
                        message = f"claim {quoted(slug)} is not one its pathway {quoted(pathway)} rests on"
                        errors.append(ReportFileError(f"{path}.claims[{index}]", message))
        if isinstance(entry.get("evidence"), list):
            _references(entry["evidence"], evidence, f"{path}.evidence", "evidence", errors)


def _check_report_is_new(report: Any, update: bool, errors: list[ReportFileError]) -> None:
    if update or not isinstance(report, dict):
        return
    slug = report.get("slug")
    if isinstance(slug, str) and re.fullmatch(SLUG_PATTERN, slug) and Report.objects.filter(slug=slug).exists():
        message = f"a report '{slug}' already exists; import with --update to bring it to this file's state"
        errors.append(ReportFileError("report.slug", message))
