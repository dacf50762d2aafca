"""Triage of warning signs: confirmed, which sends the review back, or dismissed with a reason.

Rules:
- Internal staff who run the review triage (authors, leadership, stress-testers). A sign is
  triaged once: its row is locked, and a second triage is refused, so two people confirming
  at the same moment re-open once.
- Confirming re-opens every pathway whose conclusion rests on one of the sign's claims: the
  conclusion's revision goes up (so every verdict on it is stale until its organisation
  records a new one or re-confirms it) and a `Reopening` records it; a signed-off report
  goes back to in review, its sign-off kept in the history. Then the authors, leadership,
  the owning teams of the claims and the reviewers are told, each of what they may see.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from monitoring.enums import Triage
from monitoring.models import Reopening, WarningSign
from pathways.access import access_of
from pathways.audit import log_action
from pathways.enums import ReportStatus
from pathways.models import Conclusion, Pathway, Report, User
from reviewapp.services.notifications import notify_warning_sign_reopened


class TriageRefused(Exception):
    """A triage that may not happen; the message says why."""


def _locked(sign: WarningSign, person: User) -> WarningSign:
    locked = WarningSign.objects.select_for_update(of=("self",)).select_related("report").get(pk=sign.pk)
    if not access_of(person).on(locked.report).handles_warning_signs:
        raise TriageRefused("Only the report's authors, leadership and stress-testers triage its warning signs.")
    if locked.state != Triage.NEW:
        who = locked.triaged_by or "someone"
        raise TriageRefused(
            f"This sign was already {locked.get_state_display().lower()} by {who}; nothing was changed."
        )
    return locked


def _triaged(locked: WarningSign, person: User, state: str, reason: str = "") -> None:
    locked.state, locked.triaged_by, locked.triaged_at, locked.dismissal_reason = state, person, timezone.now(), reason
    locked.save(update_fields=["state", "triaged_by", "triaged_at", "dismissal_reason"])


@transaction.atomic
def warning_sign_confirm(*, sign: WarningSign, person: User) -> list[Reopening]:
    """Confirm the sign and re-open what rested on its claims (see the module's rules)."""
    locked = _locked(sign, person)
    claims = list(locked.claims.select_related("owner_team"))
    resting = Pathway.objects.filter(report=locked.report, claims__in=claims).values("id")
    conclusions = list(
        Conclusion.objects.select_for_update(of=("self",))
        .filter(pathway__in=resting)
        .select_related("pathway")
        .order_by("pathway__position", "pathway_id")
    )
    Conclusion.objects.filter(pk__in=[conclusion.pk for conclusion in conclusions]).update(revision=F("revision") + 1)
    reopenings = Reopening.objects.bulk_create(
        [
            Reopening(warning_sign=locked, conclusion=conclusion, revision=conclusion.revision + 1)
            for conclusion in conclusions
        ]
    )
    report = Report.objects.select_for_update().get(pk=locked.report_id)
    was_signed_off = report.status == ReportStatus.SIGNED_OFF
    if was_signed_off and conclusions:
        report.status = ReportStatus.IN_REVIEW
        report.save(update_fields=["status", "updated_at"])
    _triaged(locked, person, Triage.CONFIRMED)
    log_action(
        report=report,
        actor=person,
        action="monitoring.warning_sign.confirmed",
        target=locked,
        data={
            "pathways": [conclusion.pathway.slug for conclusion in conclusions if conclusion.pathway],
            "report_reopened": was_signed_off and bool(conclusions),
        },
    )
    if conclusions:
        notify_warning_sign_reopened(locked, actor=person, claims=claims)
    return reopenings


@transaction.atomic
def warning_sign_dismiss(*, sign: WarningSign, person: User, reason: str) -> WarningSign:
    """Dismiss the sign, saying why; nothing is re-opened and nobody is told."""
    reason = (reason or "").strip()
    if not reason:
        raise TriageRefused("Say why the sign is dismissed: the reason is kept with it.")
    locked = _locked(sign, person)
    _triaged(locked, person, Triage.DISMISSED, reason)
    log_action(
        report=locked.report,
        actor=person,
        action="monitoring.warning_sign.dismissed",
        target=locked,
        data={"reason": reason},
    )
    return locked
