"""The review record: the companion document a review ends in, for one report and one reader.

It holds the sign-off decisions, each reviewer organisation's current verdict on each
conclusion (with dissents and reservations called out in a section of their own), the
information-request log with every request's thread, the findings with their
dispositions (reviewapp.record_findings) and, in an internal record, the mitigation roadmap
(reviewapp.record_roadmap).

Scope rule: everything is read through the scope functions every page uses, for the reader
(`conclusions_visible_to`, `current_verdicts_visible_to`, `information_requests_visible_to`,
`evidence_visible_to`), and written at the chosen level, never above the reader's own:
- Free text (rationales, sign-off notes, request messages) has spans above the level
  redacted; included spans show in ⟦ ⟧, as in the report export.
- A request whose subject (a claim or evidence item) is above the level is left out, and
  counted in the redaction summary: the reader sees it in the app, so the count tells
  them nothing new. Evidence attached to an answer is named only when visible at the level.
- Sign-off decisions go to those the sign-off notification goes to: people holding a role
  on the report (authors, leadership, stress-testers, external reviewers, including those
  granted only some pathways), not owning-team members reading it for their requests.
  The note leadership writes with a decision, and the reason for an override, are read in
  the app only by authors and leadership (the sign-off pages are theirs), so only their
  records carry them, and the override reason only at `internal` level. The sign-off's
  frozen snapshot is never used, as it holds every organisation's verdicts in full.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from evidence.enums import RequestState
from evidence.models import InformationRequest, RequestMessage
from evidence.report_file import ExportDocument, redacted_span_count
from evidence.selectors import evidence_visible_to, information_requests_visible_to
from pathways.access import Access, access_of
from pathways.enums import Role, Sensitivity
from pathways.models import Report, User
from pathways.selectors import conclusions_visible_to, pathways_visible_to
from pathways.text import LEVELS, REDACTED, inert_html, level_allows, render_plain
from reviewapp.enums import Position
from reviewapp.models import SignOff, Verdict
from reviewapp.record_findings import finding_texts, findings_for_record, findings_section
from reviewapp.record_roadmap import roadmap_for_record, roadmap_section
from reviewapp.selectors.verdicts import current_verdicts_visible_to
from versions.selectors import with_published_version

RECORD_FORMATS = ("md", "pdf")
SIGN_OFF_READERS = {Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER}
SIGN_OFF_NOTE_READERS = {Role.AUTHOR, Role.LEADERSHIP}
RESERVED = {Position.DISSENT, Position.CONCUR_WITH_RESERVATIONS}


@dataclass
class OrganisationVerdicts:
    organisation: object
    verdicts: list = field(default_factory=list)  # in the order of the conclusions


@dataclass
class ReviewRecord:
    """What one reader may see of a report's review, at `level`."""

    report: Report
    reader: User
    level: str
    sees_sign_offs: bool
    reads_sign_off_notes: bool
    sign_offs: list
    conclusion_titles: dict  # conclusion id -> "Overall conclusion" / "Pathway 2: …"
    organisations: list  # of OrganisationVerdicts
    requests: list
    requests_above_level: int
    today: datetime.date
    findings: list = field(default_factory=list)
    findings_above_level: int = 0
    internal_findings_left_out: int = 0
    roadmap: list | None = None  # None: no roadmap section (reviewapp.record_roadmap)

    @property
    def reservations(self) -> list:
        return [verdict for entry in self.organisations for verdict in entry.verdicts if verdict.position in RESERVED]

    def written_text(self) -> list[str]:
        """Every free-text field the record writes, for counting redactions."""
        texts = [sign_off.note for sign_off in self.sign_offs] if self.reads_sign_off_notes else []
        texts += [verdict.rationale for entry in self.organisations for verdict in entry.verdicts]
        texts += [message.text for request in self.requests for message in request.messages.all()]
        texts += [item.description for item in self.roadmap or []]
        return texts + finding_texts(self.findings)

    def summary(self) -> dict:
        redacted = sum(redacted_span_count(text, self.level) for text in self.written_text() if text)
        parts = []
        if redacted:
            parts.append(f"{redacted} passage{'s' if redacted != 1 else ''} redacted")
        if self.requests_above_level:
            count = self.requests_above_level
            parts.append(
                f"{count} information request{'s' if count != 1 else ''} about material above level "
                f"{self.level} left out"
            )
        if self.findings_above_level:
            count = self.findings_above_level
            parts.append(f"{count} finding{'s' if count != 1 else ''} about material above level {self.level} left out")
        if self.internal_findings_left_out:
            count = self.internal_findings_left_out
            parts.append(f"{count} internal finding{'s' if count != 1 else ''} left out")
        text = "Redaction summary: " + ("; ".join(parts) if parts else "nothing redacted or left out") + "."
        return {
            "level": self.level,
            "redacted_spans": redacted,
            "requests_above_level": self.requests_above_level,
            "findings_above_level": self.findings_above_level,
            "internal_findings_left_out": self.internal_findings_left_out,
            "text": text,
        }


def review_record_load(*, report: Report, reader: User, level: str) -> ReviewRecord:
    """The review record of `report` as `reader` may see it at `level` (a fixed number of queries).

    Raises ValueError for an unknown level, a level above the reader's own, or a report
    out of the reader's scope.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level '{level}': use one of {', '.join(LEVELS)}")
    if not level_allows(reader.reading_level, level):
        raise ValueError(f"level '{level}' is above what {reader} may read ({reader.reading_level})")
    access = access_of(reader)  # once for the whole record
    if not access.sees_report(report):
        raise ValueError(f"{reader} cannot see the report '{report.slug}'")
    readable = Sensitivity.at_or_below(level)

    titles = _conclusion_titles(report=report, reader=access)
    verdicts = (
        current_verdicts_visible_to(access)
        .filter(conclusion__report=report)
        .select_related("organisation", "recorded_by", "conclusion")
        .order_by("organisation__kind", "organisation__name")
    )
    order = {conclusion_id: index for index, conclusion_id in enumerate(titles)}
    by_organisation: dict[int, OrganisationVerdicts] = {}
    for verdict in verdicts:
        if verdict.conclusion_id not in titles:
            continue  # cannot happen while a pathway's conclusion goes with its pathway; fail closed
        entry = by_organisation.setdefault(verdict.organisation_id, OrganisationVerdicts(verdict.organisation))
        entry.verdicts.append(verdict)
    for entry in by_organisation.values():
        entry.verdicts.sort(key=lambda verdict: order[verdict.conclusion_id])

    visible_requests = information_requests_visible_to(access).filter(report=report)
    at_level = Q(pathway__isnull=False) | Q(claim__sensitivity__in=readable) | Q(evidence__sensitivity__in=readable)
    attached = evidence_visible_to(access).filter(sensitivity__in=readable).order_by("position", "id")
    thread = RequestMessage.objects.select_related("author").prefetch_related(
        Prefetch("evidence", queryset=attached, to_attr="visible_evidence")
    )
    requests = list(
        visible_requests.filter(at_level)
        .select_related("team", "organisation", "pathway", "claim", "evidence", "chain_step__chain")
        .prefetch_related(Prefetch("messages", queryset=thread))
        .order_by("created_at", "id")
    )

    roles = access.on(report).roles
    sees_sign_offs = bool(roles & SIGN_OFF_READERS)
    sign_offs = (
        list(with_published_version(SignOff.objects.filter(report=report)).select_related("decided_by"))
        if sees_sign_offs
        else []
    )
    findings, findings_above_level, internal_findings = findings_for_record(access, report, readable)
    today = timezone.localdate()
    return ReviewRecord(
        report=report,
        reader=reader,
        level=level,
        sees_sign_offs=sees_sign_offs,
        reads_sign_off_notes=bool(roles & SIGN_OFF_NOTE_READERS),
        sign_offs=sign_offs,
        conclusion_titles=titles,
        organisations=list(by_organisation.values()),
        requests=requests,
        requests_above_level=visible_requests.exclude(at_level).count(),
        today=today,
        findings=findings,
        findings_above_level=findings_above_level,
        internal_findings_left_out=internal_findings,
        roadmap=roadmap_for_record(access, report, level, today),
    )


def _conclusion_titles(*, report: Report, reader: Access) -> dict:
    """The conclusions the reader sees, in reading order, each with the title the report export
    gives it (pathways numbered among those the reader sees)."""
    numbers = {
        pathway_id: number
        for number, pathway_id in enumerate(
            pathways_visible_to(reader).filter(report=report).values_list("id", flat=True), start=1
        )
    }
    conclusions = (
        conclusions_visible_to(reader)
        .filter(report=report)
        .select_related("pathway")
        .order_by(F("pathway__position").asc(nulls_first=True), "pathway_id", "id")
    )
    titles = {}
    for conclusion in conclusions:
        if conclusion.pathway_id is None:
            titles[conclusion.pk] = f"Overall conclusion ({conclusion.get_risk_level_display()})"
        elif conclusion.pathway is not None and conclusion.pathway_id in numbers:
            number, title = numbers[conclusion.pathway_id], conclusion.pathway.title
            titles[conclusion.pk] = f"Pathway {number}: {title} ({conclusion.get_risk_level_display()})"
    return titles


def review_record_export(*, report: Report, reader: User, level: str, fmt: str) -> ExportDocument:
    """The review record as Markdown ("md", text) or PDF ("pdf", bytes), with its redaction summary."""
    if fmt not in RECORD_FORMATS:
        raise ValueError(f"unknown format '{fmt}': use one of {', '.join(RECORD_FORMATS)}")
    record = review_record_load(report=report, reader=reader, level=level)
    summary = record.summary()
    markdown = review_record_markdown(record, summary)
    if fmt == "md":
        return ExportDocument(markdown, summary)
    # WeasyPrint (and the Pango it loads) is imported only when a PDF is made.
    from evidence.report_file.pdf import markdown_pdf  # noqa: PLC0415 (see the comment above)

    return ExportDocument(markdown_pdf(markdown=markdown, level=level, title=f"Review record: {report.title}"), summary)


# ---------------------------------------------------------------------- Markdown


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _subject(information_request: InformationRequest) -> str:
    if information_request.pathway is not None:
        return f"pathway “{information_request.pathway.title}”"
    if information_request.claim is not None:
        return f"claim `{information_request.claim.slug}`: {information_request.claim.statement}"
    step = information_request.chain_step
    if step is not None:
        return f"the {step.get_role_display().lower()} step “{step.text}” of detection chain “{step.chain.scenario}”"
    evidence = information_request.evidence
    assert evidence is not None  # a request is about exactly one subject
    return f"evidence “{evidence.title}” (`{evidence.slug}`)"


def review_record_markdown(record: ReviewRecord, summary: dict) -> str:
    """The record as a Markdown document for people; text as the report export writes it,
    raw HTML in it escaped (see `pathways.text.inert_html`)."""
    level = record.level

    def text(markdown: str) -> str:
        return render_plain(markdown, level).strip()

    lines: list[str] = []

    def add(*paragraphs: str) -> None:
        lines.extend(paragraph for paragraph in paragraphs if paragraph)

    legend = f"{REDACTED} stands for text above that level"
    if level != LEVELS[0]:
        legend += "; text in ⟦ ⟧ is not in the public version"
    reader = record.reader
    prepared_for = f"{reader} ({reader.organisation.name})" if reader.organisation is not None else str(reader)
    report = record.report
    add(
        f"_This is the review record as a reader at level **{level}** sees it: {legend}. "
        f"Prepared for {prepared_for} on {record.today.isoformat()}; it holds what they may see, no more._",
        f"_{summary['text']}_",
        f"# Review record: {report.title}",
        "\n".join(
            f"- **{label}:** {value}"
            for label, value in (
                ("Model", report.model_name),
                ("Report version", report.version),
                ("Status", report.get_status_display()),
            )
            if value
        ),
    )
    _sign_off_section(record, add, text)
    _verdict_section(record, add, text)
    _reservation_section(record, add, text)
    _request_section(record, add, text)
    findings_section(record.findings, add, text, _when)
    roadmap_section(record.roadmap, add, text)
    return inert_html("\n\n".join(lines)) + "\n"


def _sign_off_section(record: ReviewRecord, add, text) -> None:
    add("## Sign-off decision")
    if not record.sees_sign_offs:
        add("Sign-off decisions are shared with the report's authors, leadership and reviewers.")
        return
    if not record.sign_offs:
        add("Leadership has not recorded a sign-off decision yet.")
    for sign_off in record.sign_offs:
        add(
            f"### {sign_off.get_decision_display()}, {_when(sign_off.created_at)}",
            f"Decided by {sign_off.decided_by} on version {sign_off.version_label}.",
        )
        if not record.reads_sign_off_notes:
            continue
        if sign_off.note:
            add("**Note**", text(sign_off.note))
        if sign_off.override_reason and record.level == "internal":
            add("**Recorded over missing or stale verdicts.** Reason given:", text(sign_off.override_reason))


def _verdict_line(record: ReviewRecord, verdict: Verdict) -> str:
    line = f"Recorded by {verdict.recorded_by} on {_when(verdict.recorded_at)}."
    if verdict.is_stale:
        line += (
            f" **Stale:** given on revision {verdict.conclusion_revision} of the conclusion, "
            f"which is now at revision {verdict.conclusion.revision}."
        )
    return line


def _verdict_section(record: ReviewRecord, add, text) -> None:
    add("## Verdicts")
    if not record.organisations:
        add("No organisation has recorded a verdict on a conclusion in this record yet.")
    for entry in record.organisations:
        organisation = entry.organisation
        add(f"### {organisation.name}", f"_{organisation.get_kind_display()}_")
        for verdict in entry.verdicts:
            add(
                f"#### {record.conclusion_titles[verdict.conclusion_id]}: {verdict.get_position_display()}",
                _verdict_line(record, verdict),
                text(verdict.rationale) if verdict.rationale else "_No rationale given._",
            )


def _reservation_section(record: ReviewRecord, add, text) -> None:
    add("## Dissents and reservations")
    reservations = record.reservations
    if not reservations:
        add("No organisation dissents from or has reservations about a conclusion in this record.")
    for verdict in reservations:
        title = record.conclusion_titles[verdict.conclusion_id]
        add(
            f"### {verdict.organisation.name}: {verdict.get_position_display().lower()} on {title}",
            _verdict_line(record, verdict),
            text(verdict.rationale) if verdict.rationale else "_No rationale given._",
        )


def _request_section(record: ReviewRecord, add, text) -> None:
    add("## Information requests")
    if not record.requests:
        add("No information requests in this record.")
    for information_request in record.requests:
        state = information_request.get_state_display()
        overdue = information_request.overdue_days(record.today)
        if overdue:
            state += f", overdue by {overdue} day{'s' if overdue != 1 else ''}"
        dates = [("Filed", _when(information_request.created_at))]
        dates.append(("First answered", _when(information_request.first_answered_at) or "not yet"))
        if information_request.state in (RequestState.CLOSED, RequestState.DECLINED):
            dates.append(("Closed", _when(information_request.closed_at)))
        add(
            f"### Request {information_request.pk}: {information_request.title}",
            "\n".join(
                [
                    f"- **State:** {state}",
                    f"- **About:** {_subject(information_request)}",
                    f"- **From:** {information_request.organisation.name}",
                    f"- **To:** {information_request.team.name}",
                    f"- **Due:** {information_request.due_date.isoformat()}",
                    *(f"- **{label}:** {value}" for label, value in dates if value),
                ]
            ),
        )
        for message in information_request.messages.all():
            add(
                f"**{message.get_kind_display()}**, {message.author}, {_when(message.created_at)}",
                text(message.text) if message.text else "",
            )
            if message.visible_evidence:
                add(
                    "Evidence attached: "
                    + "; ".join(f"{evidence.title} (`{evidence.slug}`)" for evidence in message.visible_evidence)
                )
