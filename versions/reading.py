"""A published version as one person reads it: cut from the version's internal report file
by the rules every scope function applies to the live report (pathways.selectors,
evidence.selectors), in Python, because a version is a document, not rows.

Rules (the same as the scope functions', and tested against them):
- A reader who sees the report whole reads every pathway; one granted some pathways reads
  those, by the ids the pathways had when the version was published.
- Claims at or below the reader's level; for a pathway-limited reader, only those resting
  on one of their pathways.
- Evidence at or below the level; for a pathway-limited reader, only that backing a claim
  they read. A claim's link to an evidence item is kept only where both are read.
- A pathway's conclusion goes with its pathway; the overall one with the report, and a
  line of defence with its pathway, at or below the level, listing the claims and evidence
  kept; a detection chain too, with its steps at or below the level, each listing the
  evidence kept.
- In Markdown fields, spans above the level become `[redacted]` (the markers of the spans
  kept stay, as in a YAML export); teams are those owning what is kept.

The result has the shape of the report file (docs/report-format.md) that an export for the
same person would write, so that pages, diffs and exports of a version read one thing.
"""

from dataclasses import dataclass

from evidence.report_file.chains import chain_teams_of, cut_chains
from evidence.report_file.defence import MARKDOWN_FIELDS, cut_lines
from evidence.report_file.writing import without_empty
from pathways.access import Access
from pathways.enums import Sensitivity
from pathways.text import redact

_MARKDOWN = {
    "report": ("summary",),
    "pathway": ("critical_action", "argument"),
    "claim": ("rationale",),
    "evidence": ("summary",),
    "line": MARKDOWN_FIELDS,
}


@dataclass(frozen=True)
class Reader:
    """What cuts a version for one person: their level, and whether they see the report
    whole or only the pathways of `pathway_ids`."""

    level: str
    whole: bool
    pathway_ids: frozenset = frozenset()


def reader_on(access: Access, report_id: int) -> Reader | None:
    """The person as a reader of the report's versions, or None when they cannot see it."""
    if report_id in access.whole_report_ids:
        return Reader(level=access.level, whole=True)
    if report_id in access.visible_report_ids:
        return Reader(level=access.level, whole=False, pathway_ids=frozenset(access.pathway_grants.get(report_id, ())))
    return None


def _redacted(entry: dict, kind: str, level: str) -> dict:
    if level == Sensitivity.INTERNAL:  # the document is written at the internal level: nothing more to cut
        return entry
    texts = {name: redact(entry[name], level, keep_markers=True) for name in _MARKDOWN[kind] if name in entry}
    return {**entry, **texts}


def _conclusion(entry: dict | None, level: str) -> dict | None:
    if entry is None or level == Sensitivity.INTERNAL:
        return entry
    return without_empty({**entry, "text": redact(entry.get("text", ""), level, keep_markers=True)})


def cut(document: dict, ids: dict, reader: Reader) -> dict:
    """The report file `document` (written at the internal level) as `reader` reads it."""
    level = reader.level
    readable = set(Sensitivity.at_or_below(level))
    pathway_ids = ids.get("pathways", {})
    pathways = [
        entry
        for entry in document.get("pathways", [])
        if reader.whole or pathway_ids.get(entry["slug"]) in reader.pathway_ids
    ]
    claims = [entry for entry in document.get("claims", []) if entry.get("sensitivity", "public") in readable]
    if not reader.whole:
        resting = {slug for entry in pathways for slug in entry.get("claims", [])}
        claims = [entry for entry in claims if entry["slug"] in resting]
    evidence = [entry for entry in document.get("evidence", []) if entry.get("sensitivity", "public") in readable]
    if not reader.whole:
        backing = {link["evidence"] for entry in claims for link in entry.get("evidence", [])}
        evidence = [entry for entry in evidence if entry["slug"] in backing]
    claim_slugs, evidence_slugs = {entry["slug"] for entry in claims}, {entry["slug"] for entry in evidence}
    lines = cut_lines(
        document.get("lines_of_defence", []),
        pathways={entry["slug"] for entry in pathways},
        claims=claim_slugs,
        evidence=evidence_slugs,
        readable=readable,
    )
    chains = cut_chains(
        document.get("detection_chains", []),
        pathways={entry["slug"] for entry in pathways},
        evidence=evidence_slugs,
        readable=readable,
    )
    owners = {entry["owner_team"] for entry in (*claims, *evidence, *lines)} | chain_teams_of(chains)
    report = document["report"]
    return without_empty(
        {
            "format": document["format"],
            "report": without_empty(
                {
                    **_redacted(report, "report", level),
                    "conclusion": _conclusion(report.get("conclusion"), level),
                }
            ),
            "teams": [team for team in document.get("teams", []) if team["slug"] in owners],
            "pathways": [
                without_empty(
                    {
                        **_redacted(entry, "pathway", level),
                        "conclusion": _conclusion(entry.get("conclusion"), level),
                        "claims": [slug for slug in entry.get("claims", []) if slug in claim_slugs],
                    }
                )
                for entry in pathways
            ],
            "claims": [
                without_empty(
                    {
                        **_redacted(entry, "claim", level),
                        "evidence": [link for link in entry.get("evidence", []) if link["evidence"] in evidence_slugs],
                    }
                )
                for entry in claims
            ],
            "evidence": [_redacted(entry, "evidence", level) for entry in evidence],
            "lines_of_defence": [_redacted(entry, "line", level) for entry in lines],
            "detection_chains": chains,
        }
    )
