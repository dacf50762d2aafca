"""Leadership's sign-off decision on a report version, with a frozen copy of the state it
was taken in: every verdict, every conclusion's risk level, text and revision, and the
open items. Refused while a verdict is missing or stale, unless overridden in writing."""

from django.db import transaction
from django.utils import timezone

from pathways.access import access_of
from pathways.audit import log_action
from pathways.enums import ReportStatus
from pathways.models import Conclusion, Report, User
from reviewapp.enums import APPROVING, SignOffDecision
from reviewapp.models import SignOff
from reviewapp.selectors.signoff import SignOffState, signoff_state
from reviewapp.services.notifications import notify_signoff_recorded
from versions.models import ReportVersion
from versions.selectors import latest_version


class SignOffError(Exception):
    """A sign-off that may not be recorded; `reasons` lists what stands in the way."""

    def __init__(self, message: str, reasons: list[str] | None = None):
        super().__init__(message)
        self.reasons = reasons or []


def version_facts(version: ReportVersion) -> dict:
    return {
        "number": version.number,
        "name": version.name,
        "published_at": version.published_at.isoformat(),
        "published_by": str(version.published_by),
    }


def signoff_snapshot(state: SignOffState) -> dict:
    """The frozen, JSON-serialisable copy of what leadership decided on."""
    return {
        "taken_at": timezone.now().isoformat(),
        "report": {
            "slug": state.report.slug,
            "title": state.report.title,
            "version": state.report.version,
            "status": state.report.status,
        },
        "organisations": [
            {"id": organisation.pk, "name": organisation.name, "kind": organisation.kind}
            for organisation in state.organisations
        ],
        "conclusions": [
            {
                "id": row.conclusion.pk,
                "pathway": row.conclusion.pathway.slug if row.conclusion.pathway_id else None,
                "title": row.title,
                "risk_level": row.conclusion.risk_level,
                "risk_level_label": row.conclusion.get_risk_level_display(),
                "text": row.conclusion.text,
                "revision": row.conclusion.revision,
                "concurred": row.concurred,
                "verdicts": [
                    {
                        "organisation": cell.organisation.name,
                        "expected": cell.expected,
                        "missing": cell.missing,
                        "position": cell.verdict.position if cell.verdict else None,
                        "position_label": cell.verdict.get_position_display() if cell.verdict else None,
                        "rationale": cell.verdict.rationale if cell.verdict else "",
                        "stale": cell.stale,
                        "conclusion_revision": cell.verdict.conclusion_revision if cell.verdict else None,
                        "recorded_by": str(cell.verdict.recorded_by) if cell.verdict else None,
                        "recorded_at": cell.verdict.recorded_at.isoformat() if cell.verdict else None,
                    }
                    for cell in row.cells
                ],
            }
            for row in state.rows
        ],
        "readiness": {
            "line": state.readiness_line,
            "concurred_pathways": state.concurred_pathways,
            "pathways": len(state.pathway_rows),
        },
        "blocking_reasons": state.blocking_reasons,
        "open_items": {
            "requests_open": state.open_requests,
            "requests_overdue": state.overdue_requests,
            "requests_by_team": [
                {"team": team.team, "open": team.open, "overdue": team.overdue} for team in state.requests_by_team
            ],
            "unresolved_threads": state.unresolved_threads,
        },
    }


@transaction.atomic
def signoff_record(
    *,
    report: Report,
    decider: User,
    decision: str,
    note: str = "",
    override: bool = False,
    override_reason: str = "",
    version: int | None = None,
) -> SignOff:
    """Record leadership's decision on the report's latest published version: `version`, its
    number as the decider read it (None: whichever is latest). The report and its
    conclusions are locked, so no verdict, version or sign-off lands between the check and
    the snapshot. An approving decision signs the report off."""
    if decision not in SignOffDecision.values:
        raise SignOffError("Choose approve, approve with conditions or not approved.")
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not access_of(decider).on(report).may_sign_off:
        raise SignOffError("Only leadership records a sign-off decision.")
    if report.status == ReportStatus.SIGNED_OFF:
        raise SignOffError("This report is already signed off; a new version needs a new review.")
    published = latest_version(report)
    if published is None:
        raise SignOffError(
            "A sign-off is of a published version, and this report has none yet: its authors publish one first."
        )
    if version is not None and version != published.number:
        raise SignOffError(
            f"Version {published.number}, “{published.name}”, was published since you opened the page: "
            "read what changed, then decide on it."
        )
    list(Conclusion.objects.select_for_update().filter(report=report).values_list("pk", flat=True))
    state = signoff_state(user=decider, report=report)
    reasons = state.blocking_reasons
    override_reason = (override_reason or "").strip()
    if reasons and not (override and override_reason):
        raise SignOffError(
            "Not everything a sign-off waits for is done: every organisation's current verdict on every "
            "conclusion it reviews, every carried-forward evidence item confirmed or replaced, and every major "
            "or critical finding answered. Wait for them, or override and say why.",
            reasons,
        )
    signoff = SignOff.objects.create(
        report=report,
        decided_by=decider,
        decision=decision,
        note=(note or "").strip(),
        override_reason=override_reason if reasons else "",
        report_version=report.version,
        published_version=published,
        snapshot={**signoff_snapshot(state), "published_version": version_facts(published)},
    )
    if decision in APPROVING:
        report.status = ReportStatus.SIGNED_OFF
        report.save(update_fields=["status", "updated_at"])
    log_action(
        report=report,
        actor=decider,
        action="reviewapp.signoff.recorded",
        target=signoff,
        data={
            "decision": decision,
            "report_version": report.version,
            "version": published.number,
            "overridden": bool(reasons),
            "override_reason": signoff.override_reason,
            "blocking_reasons": reasons,
        },
    )
    notify_signoff_recorded(signoff)
    return signoff
