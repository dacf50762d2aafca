"""Raising findings and answering them.

Rules:
- A reviewer (a stress-tester or an external reviewer, for their organisation) raises a
  finding on a claim, on a claim's use in one pathway it rests on, on a line of
  defence or on a detection chain's step, that they can see. An external reviewer's finding is always shared; a
  stress-tester chooses shared or internal.
- The report's authors answer each with a disposition (refuted, with the reason; accepted
  as residual risk; claim revised; mitigation planned). An answer may be changed later;
  each save carries the version it started from, and a save over a newer answer is
  refused, nothing lost (the form keeps what was typed).
- Every raise and answer writes an audit entry, and notifies: a raise, the authors; an
  answer, the reviewer who raised it. A major or critical finding without a
  disposition holds up a sign-off (reviewapp.selectors.signoff).
"""

from django.db import transaction
from django.utils import timezone

from evidence.models import ChainStep, LineOfDefence
from evidence.selectors import lines_visible_to, steps_visible_to
from pathways.access import access_of
from pathways.audit import log_action
from pathways.models import Claim, Pathway, PathwayClaim, User
from pathways.selectors import claims_visible_to, pathways_visible_to
from reviewapp.enums import CommentVisibility, Disposition, FindingKind, Severity
from reviewapp.models import Finding
from reviewapp.selectors.findings import findings_visible_to
from reviewapp.services.notifications import notify_finding_answered, notify_finding_raised

MAX_TEXT = 10_000


class FindingRefused(Exception):
    """A finding or an answer that may not be saved; the message says why."""


class FindingConflict(FindingRefused):
    """The answer changed since the author opened the form."""


def _subject_in_scope(raiser, subject: Claim | LineOfDefence | ChainStep, pathway: Pathway | None):
    if isinstance(subject, (LineOfDefence, ChainStep)):
        if pathway is not None:
            noun, short = ("line of defence", "line") if isinstance(subject, LineOfDefence) else ("chain step", "step")
            raise FindingRefused(f"A finding on a {noun} is about the {short} alone.")
        visible = lines_visible_to(raiser) if isinstance(subject, LineOfDefence) else steps_visible_to(raiser)
        return visible.filter(pk=subject.pk).exists()
    if not claims_visible_to(raiser).filter(pk=subject.pk).exists():
        return False
    if pathway is None:
        return True
    if not pathways_visible_to(raiser).filter(pk=pathway.pk).exists():
        return False
    if not PathwayClaim.objects.filter(pathway=pathway, claim=subject).exists():
        raise FindingRefused("This claim is not one the pathway rests on.")
    return True


def _checked_text(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise FindingRefused(f"Write the {field}.")
    if len(text) > MAX_TEXT:
        raise FindingRefused(f"The {field} is {len(text):,} characters long; the limit is {MAX_TEXT:,}.")
    return text


@transaction.atomic
def finding_raise(
    *,
    raiser: User,
    subject: Claim | LineOfDefence | ChainStep,
    kind: str,
    severity: str,
    text: str,
    recommendation: str = "",
    visibility: str = CommentVisibility.SHARED,
    pathway: Pathway | None = None,
) -> Finding:
    access = access_of(raiser)
    if not _subject_in_scope(access, subject, pathway):
        raise FindingRefused("You cannot see what this finding would be about.")
    report = subject.report
    scope = access.on(report)
    organisation = scope.reviewing_organisation
    if not scope.may_raise_findings or organisation is None:
        raise FindingRefused("Only reviewers raise findings, for the organisation they act for.")
    if kind not in FindingKind.values:
        raise FindingRefused("Choose what the finding says is wrong.")
    if severity not in Severity.values:
        raise FindingRefused("Choose minor, major or critical.")
    if visibility not in CommentVisibility.values:
        raise FindingRefused("Choose shared or internal.")
    if access.is_external:
        visibility = CommentVisibility.SHARED  # an external reviewer's findings are for the authors to read
    finding = Finding.objects.create(
        report=report,
        claim=subject if isinstance(subject, Claim) else None,
        pathway=pathway,
        line=subject if isinstance(subject, LineOfDefence) else None,
        step=subject if isinstance(subject, ChainStep) else None,
        organisation=organisation,
        raised_by=raiser,
        visibility=visibility,
        kind=kind,
        severity=severity,
        text=_checked_text(text, field="finding", required=True),
        recommendation=_checked_text(recommendation, field="recommendation", required=False),
    )
    log_action(
        report=report,
        actor=raiser,
        action="reviewapp.finding.raised",
        target=finding,
        data={"organisation": organisation.name, "severity": severity, "kind": kind, "visibility": visibility},
    )
    notify_finding_raised(finding)
    return finding


@transaction.atomic
def finding_dispose(*, author: User, finding: Finding, disposition: str, text: str, version: int) -> Finding:
    """The authors' answer to a finding, against the finding's `version` the author read."""
    access = access_of(author)
    locked = findings_visible_to(access).select_for_update(of=("self",)).filter(pk=finding.pk).first()
    if locked is None:
        raise FindingRefused("You cannot see this finding.")
    if not access.on(locked.report).may_edit:
        raise FindingRefused("Only the report's authors answer findings.")
    if disposition not in Disposition.values:
        raise FindingRefused("Choose refuted, accepted as residual risk, claim revised or mitigation planned.")
    text = _checked_text(text, field="reason", required=disposition == Disposition.REFUTED)
    if version != locked.version:
        raise FindingConflict(
            "Someone answered this finding since you opened it; their answer is shown above, and yours is kept "
            "below: save it again to replace theirs."
        )
    previous = locked.disposition
    locked.disposition, locked.disposition_text = disposition, text
    locked.disposed_by, locked.disposed_at = author, timezone.now()
    locked.version += 1
    locked.save()
    log_action(
        report=locked.report,
        actor=author,
        action="reviewapp.finding.disposed",
        target=locked,
        data={"disposition": disposition, "previous": previous, "severity": locked.severity},
    )
    notify_finding_answered(locked)
    return locked
