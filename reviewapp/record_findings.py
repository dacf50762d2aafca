"""The findings section of the review record (reviewapp.review_record): the findings the
reader may see (`findings_visible_to`), about material at or below the record's level, with
the authors' dispositions; those about material above the level are left out and counted
in the redaction summary (the reader sees them in the app, so the count tells them nothing
new), as are internal findings in a record below the internal level. Free text has spans
above the level redacted, as everywhere in the record."""

from django.db.models import Count, Q

from pathways.access import Access
from pathways.models import Report
from reviewapp.enums import CommentVisibility
from reviewapp.selectors.findings import findings_visible_to


def findings_for_record(access: Access, report: Report, readable: list[str]) -> tuple[list, int, int]:
    """(the findings written, oldest first; how many were left out as about material above
    the level; how many internal ones were left out of a record below the internal level);
    two queries."""
    visible = findings_visible_to(access).filter(report=report)
    subject_at_level = (
        Q(claim__isnull=False, claim__sensitivity__in=readable)
        | Q(line__sensitivity__in=readable)
        | Q(step__sensitivity__in=readable, step__chain__sensitivity__in=readable)
    )
    written = subject_at_level
    if "internal" not in readable:  # an internal finding is for internal staff: not in a record below that level
        written &= Q(visibility=CommentVisibility.SHARED)
    findings = list(
        visible.filter(written)
        .select_related("claim", "pathway", "line__pathway", "step__chain__pathway", "organisation", "disposed_by")
        .order_by("created_at", "id")
    )
    left_out = visible.aggregate(
        above=Count("id", filter=~subject_at_level),
        internal=Count("id", filter=subject_at_level & ~written),
    )
    return findings, left_out["above"], left_out["internal"]


def finding_texts(findings: list) -> list[str]:
    return [text for finding in findings for text in (finding.text, finding.recommendation, finding.disposition_text)]


def _subject(finding) -> str:
    if finding.step_id:
        step, chain = finding.step, finding.step.chain
        return (
            f"the {step.get_role_display().lower()} step “{step.text}” of detection chain “{chain.scenario}” "
            f"(`{chain.slug}`), pathway “{chain.pathway.title}”"
        )
    if finding.line_id:
        return f"line of defence “{finding.line.title}” (`{finding.line.slug}`), pathway “{finding.line.pathway.title}”"
    claim = f"claim `{finding.claim.slug}`: {finding.claim.statement}"
    return f"the use of {claim} in pathway “{finding.pathway.title}”" if finding.pathway_id else claim


def findings_section(findings: list, add, text, when) -> None:
    add("## Findings")
    if not findings:
        add("No findings in this record.")
    for finding in findings:
        disposition = finding.get_disposition_display() if finding.disposition else "awaiting the authors' disposition"
        add(
            f"### Finding {finding.pk}: {finding.get_kind_display()}",
            "\n".join(
                [
                    f"- **Severity:** {finding.get_severity_display()}",
                    f"- **About:** {_subject(finding)}",
                    f"- **From:** {finding.organisation.name}, {when(finding.created_at)}",
                    f"- **Disposition:** {disposition}"
                    + (f" ({finding.disposed_by}, {when(finding.disposed_at)})" if finding.disposition else ""),
                ]
            ),
            text(finding.text),
            f"**Recommendation:** {text(finding.recommendation)}" if finding.recommendation else "",
            f"**Answer:** {text(finding.disposition_text)}" if finding.disposition_text else "",
        )
