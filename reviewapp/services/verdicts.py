"""Recording verdicts. One current verdict per organisation and conclusion: a new one
replaces the current one in the same transaction, with the conclusion row locked, so two
members of an organisation recording at once leave exactly one current verdict."""

from django.db import transaction

from pathways.audit import log_action
from pathways.models import Conclusion, ReviewerOrganisation, User
from pathways.selectors import conclusions_visible_to
from pathways.services import conclusion_update
from reviewapp.enums import Position
from reviewapp.models import Verdict
from reviewapp.selectors.verdicts import reviewing_organisation
from reviewapp.services.notifications import notify_verdict_recorded, notify_verdicts_stale
from versions.selectors import latest_version


class VerdictError(Exception):
    """A verdict that may not be recorded; the message says why, to the person at the keyboard."""


def _locked_conclusion(*, conclusion: Conclusion, recorder: User) -> tuple[Conclusion, ReviewerOrganisation]:
    """The conclusion, locked, after checking the recorder may answer it for their organisation."""
    locked = (
        conclusions_visible_to(recorder)
        .select_for_update(of=("self",))
        .select_related("report", "pathway")
        .filter(pk=conclusion.pk)
        .first()
    )
    if locked is None:
        raise VerdictError("You cannot see this conclusion.")
    organisation = reviewing_organisation(recorder, locked.report)
    if organisation is None:
        raise VerdictError("Only reviewers record verdicts, for the organisation they act for.")
    return locked, organisation


def _replace_current(*, conclusion: Conclusion, organisation, recorder: User, position: str, rationale: str) -> Verdict:
    Verdict.objects.filter(conclusion=conclusion, organisation=organisation, is_current=True).update(is_current=False)
    return Verdict.objects.create(
        conclusion=conclusion,
        organisation=organisation,
        recorded_by=recorder,
        position=position,
        rationale=rationale,
        conclusion_revision=conclusion.revision,
        conclusion_risk_level=conclusion.risk_level,
        conclusion_text=conclusion.text,
        published_version=latest_version(conclusion.report),
        is_current=True,
    )


def _audit_data(verdict: Verdict) -> dict:
    return {
        "organisation": verdict.organisation.name,
        "position": verdict.position,
        "conclusion_id": verdict.conclusion_id,
        "pathway": verdict.conclusion.pathway.slug if verdict.conclusion.pathway is not None else None,
        "conclusion_revision": verdict.conclusion_revision,
        "version": verdict.published_version.number if verdict.published_version else None,
    }


@transaction.atomic
def verdict_record(*, conclusion: Conclusion, recorder: User, position: str, rationale: str, revision: int) -> Verdict:
    """Record the recorder's organisation's verdict on the conclusion, against `revision`,
    the revision of the conclusion the recorder read; refused if it has changed since."""
    if position not in Position.values:
        raise VerdictError("Choose concur, concur with reservations, dissent or abstain.")
    rationale = (rationale or "").strip()
    if position != Position.CONCUR and not rationale:
        raise VerdictError("Say why: a rationale is required unless you concur.")
    conclusion, organisation = _locked_conclusion(conclusion=conclusion, recorder=recorder)
    if revision != conclusion.revision:
        raise VerdictError(
            "The authors have changed this conclusion since you opened the page. "
            "Read the new text, then record your verdict again; what you wrote is kept below."
        )
    verdict = _replace_current(
        conclusion=conclusion, organisation=organisation, recorder=recorder, position=position, rationale=rationale
    )
    log_action(
        report=conclusion.report,
        actor=recorder,
        action="reviewapp.verdict.recorded",
        target=verdict,
        data=_audit_data(verdict),
    )
    notify_verdict_recorded(verdict)
    return verdict


@transaction.atomic
def verdict_reconfirm(*, verdict: Verdict, recorder: User) -> Verdict:
    """Re-confirm a stale verdict: the same position and rationale, against the conclusion's
    current revision. Only the verdict's organisation may, and only its current verdict."""
    conclusion, organisation = _locked_conclusion(conclusion=verdict.conclusion, recorder=recorder)
    verdict = Verdict.objects.select_related("organisation").get(pk=verdict.pk)
    if verdict.organisation_id != organisation.pk:
        raise VerdictError(f"Only {verdict.organisation.name} can re-confirm its own verdict.")
    if not verdict.is_current:
        raise VerdictError("Your organisation has recorded a newer verdict on this conclusion since; see it below.")
    if verdict.conclusion_revision == conclusion.revision:
        raise VerdictError("This verdict already answers the current conclusion; there is nothing to re-confirm.")
    confirmed = _replace_current(
        conclusion=conclusion,
        organisation=organisation,
        recorder=recorder,
        position=verdict.position,
        rationale=verdict.rationale,
    )
    log_action(
        report=conclusion.report,
        actor=recorder,
        action="reviewapp.verdict.reconfirmed",
        target=confirmed,
        data={**_audit_data(confirmed), "previous_revision": verdict.conclusion_revision},
    )
    notify_verdict_recorded(confirmed)
    return confirmed


@transaction.atomic
def conclusion_revise(*, conclusion: Conclusion, editor: User, revision: int, risk_level: str, text: str) -> Conclusion:
    """An author's change to a conclusion (`pathways.services.conclusion_update`), telling the
    report's authors and each recorder whose verdict it made stale, in the same transaction."""
    changed = conclusion_update(
        conclusion=conclusion, editor=editor, revision=revision, risk_level=risk_level, text=text
    )
    notify_verdicts_stale(changed, editor=editor)
    return changed
