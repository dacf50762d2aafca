"""Lines of defence in a report file: the top-level `lines_of_defence` list
(docs/report-format.md, "Lines of defence"), as exports and published versions write it
and as they cut it for a reader.

Rules:
- An entry names its pathway, its owning team, and the claims (of its pathway) and evidence
  it rests on, by slug, in the authors' order; `sensitivity` and `strength` are always
  written, the other optional keys only when not empty.
- A reader reads a line at or below their level on a pathway they read; of its claims and
  evidence, those they read (as a claim's evidence links are cut).
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet

from evidence.models import DefenceClaim, DefenceEvidence, LineOfDefence
from evidence.report_file.writing import without_empty

# The Markdown fields of an entry: redacted above a reader's level.
MARKDOWN_FIELDS = ("strength_reason",)


def line_entry(
    *,
    slug: str,
    pathway: str,
    title: str,
    kind: str,
    stage: str,
    owner_team: str,
    sensitivity: str,
    strength: str,
    strength_reason: str,
    claims: list[str],
    evidence: list[str],
) -> dict:
    """An entry of the file's `lines_of_defence`, keys in the format's order."""
    return without_empty(
        {
            "slug": slug,
            "pathway": pathway,
            "title": title,
            "kind": kind,
            "stage": stage,
            "owner_team": owner_team,
            "sensitivity": sensitivity,
            "strength": strength,
            "strength_reason": strength_reason,
            "claims": claims,
            "evidence": evidence,
        }
    )


def with_link_slugs(lines: QuerySet[LineOfDefence]) -> QuerySet[LineOfDefence]:
    """`lines` each with the slugs of its claims and evidence in order (`claim_slugs`,
    `evidence_slugs`), read in the same query."""
    return lines.annotate(
        claim_slugs=ArraySubquery(
            DefenceClaim.objects.filter(line_id=OuterRef("pk")).order_by("position", "id").values("claim__slug")
        ),
        evidence_slugs=ArraySubquery(
            DefenceEvidence.objects.filter(line_id=OuterRef("pk")).order_by("position", "id").values("evidence__slug")
        ),
    ).order_by("position", "id")


def cut_lines(entries: list[dict], *, pathways: set[str], claims: set[str], evidence: set[str], readable) -> list[dict]:
    """The entries a reader reads: on `pathways`, at a level in `readable`, each listing the
    `claims` and `evidence` (slugs) the reader reads."""
    kept = []
    for entry in entries:
        if entry["pathway"] not in pathways or entry.get("sensitivity", "public") not in readable:
            continue
        kept.append(
            without_empty(
                {
                    **entry,
                    "claims": [slug for slug in entry.get("claims", []) if slug in claims],
                    "evidence": [slug for slug in entry.get("evidence", []) if slug in evidence],
                }
            )
        )
    return kept
