"""Writes to information requests: filing, answering, following up, closing, declining.

The state machine (evidence.enums.RequestState):

    open ──answer──▶ answered ──follow up──▶ follow_up ──answer──▶ answered …
    open / answered / follow_up ──close (requester's organisation)──▶ closed
    open / follow_up ──decline with a reason (owning team)──▶ declined

A team member may also add to an answer while the request is answered (two members
answering at once: the second, told of the first, may still send theirs).

Each function is one transaction, locks the request row, and refuses with a domain error
carrying a message for the person at the keyboard: `RequestNotAllowed` when this person
may not take the action at all, `RequestConflict` when the request moved on since the
person loaded it (the `version` they started from is behind) or is in a state that does
not allow the action, `RequestInvalid` for bad input. Nothing is written on a refusal.
Every change writes an audit entry (`evidence.request.*`) in the same transaction.
"""

import datetime

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from evidence.enums import ONGOING_STATES, MessageKind, Priority, Relation, RequestState
from evidence.models import ChainStep, ChainStepEvidence, ClaimEvidence, Evidence, InformationRequest, RequestMessage
from evidence.search import search_index_evidence, search_index_information_request
from pathways.access import access_of
from pathways.audit import log_action
from pathways.models import Claim, Pathway, PathwayClaim, Report, Team, User

ANSWERABLE = {RequestState.OPEN, RequestState.ANSWERED, RequestState.FOLLOW_UP}
FOLLOWABLE = {RequestState.ANSWERED}
CLOSABLE = set(ONGOING_STATES)
DECLINABLE = {RequestState.OPEN, RequestState.FOLLOW_UP}
DEFAULT_WORKING_DAYS = 5

_SUBJECTS = "A request is about a pathway, a claim, an evidence item or a detection chain step."


class RequestError(ValueError):
    """A refused action on an information request; the message says why."""


class RequestNotAllowed(RequestError):
    """This person may not take this action on this request."""


class RequestConflict(RequestError):
    """The request is not in a state for this action, or moved on since it was loaded."""


class RequestInvalid(RequestError):
    """The input does not make a request (wrong report, wrong team, a date in the past)."""


def working_days_after(start: datetime.date, days: int = DEFAULT_WORKING_DAYS) -> datetime.date:
    """The date `days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def teams_for_subject(subject) -> QuerySet[Team]:
    """The teams a request about `subject` may go to: a claim's, evidence item's or chain
    step's owner and the owners of what it is linked to; for a pathway, the owners of the
    claims it rests on.
    Callers narrow this to what the requester can see."""
    if isinstance(subject, Pathway):
        resting = PathwayClaim.objects.filter(pathway=subject).values("claim_id")
        return Team.objects.filter(id__in=Claim.objects.filter(id__in=resting).values("owner_team_id"))
    if isinstance(subject, Claim):
        linked = ClaimEvidence.objects.filter(claim=subject).values("evidence_id")
        evidence_owners = Evidence.objects.filter(id__in=linked).values("owner_team_id")
        return Team.objects.filter(Q(pk=subject.owner_team_id) | Q(id__in=evidence_owners))
    if isinstance(subject, Evidence):
        citing = ClaimEvidence.objects.filter(evidence=subject).values("claim_id")
        owners = Claim.objects.filter(id__in=citing).values("owner_team_id")
        return Team.objects.filter(Q(pk=subject.owner_team_id) | Q(id__in=owners))
    if isinstance(subject, ChainStep):
        step_owners = Evidence.objects.filter(chain_step_links__step=subject).values("owner_team_id")
        return Team.objects.filter(Q(pk=subject.owner_team_id) | Q(id__in=step_owners))
    raise RequestInvalid(_SUBJECTS)


def _may_answer(user: User, information_request: InformationRequest) -> bool:
    return access_of(user).on(information_request.report_id).may_answer(information_request)


def _may_act_as_requester(user: User, information_request: InformationRequest) -> bool:
    return access_of(user).on(information_request.report_id).may_act_as_requester(information_request)


def _subject_fields(subject) -> dict:
    if isinstance(subject, Pathway):
        return {"pathway": subject}
    if isinstance(subject, Claim):
        return {"claim": subject}
    if isinstance(subject, Evidence):
        return {"evidence": subject}
    if isinstance(subject, ChainStep):
        return {"chain_step": subject}
    raise RequestInvalid(_SUBJECTS)


@transaction.atomic
def information_request_file(
    *,
    report: Report,
    requester: User,
    subject,
    team: Team,
    title: str,
    question: str,
    due_date: datetime.date,
    priority: str = Priority.NORMAL,
    today: datetime.date | None = None,
) -> InformationRequest:
    """A reviewer asks an owning team about a pathway, claim or evidence item of `report`.
    The caller has checked that the requester may see the subject and the team."""
    today = today or timezone.localdate()
    if not access_of(requester).on(report).may_file_requests:
        raise RequestNotAllowed("Only reviewers acting for a reviewer organisation file information requests.")
    assert requester.organisation_id is not None  # may_file_requests: they act for an organisation
    if subject.report_id != report.pk:
        raise RequestInvalid("That pathway, claim or evidence item is not in this report.")
    if not teams_for_subject(subject).filter(pk=team.pk).exists():
        raise RequestInvalid(f"{team.name} owns nothing this request is about; choose one of the teams offered.")
    if due_date < today:
        raise RequestInvalid("The due date is in the past.")
    if priority not in Priority.values:
        raise RequestInvalid("Choose one of the priorities offered.")
    if not title.strip() or not question.strip():
        raise RequestInvalid("A request needs a title and a question.")
    information_request = InformationRequest.objects.create(
        report=report,
        team=team,
        requester=requester,
        organisation_id=requester.organisation_id,
        title=" ".join(title.split()),  # one line: it heads pages and email subjects
        question=question,
        due_date=due_date,
        priority=priority,
        **_subject_fields(subject),
    )
    RequestMessage.objects.create(
        request=information_request, author=requester, kind=MessageKind.QUESTION, text=question
    )
    search_index_information_request(information_request)
    log_action(
        report=report,
        actor=requester,
        action="evidence.request.filed",
        target=information_request,
        data={"team": team.slug, "due_date": due_date.isoformat(), "priority": priority},
    )
    return information_request


def _lock(information_request: InformationRequest) -> InformationRequest:
    return (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("team", "organisation", "report")
        .get(pk=information_request.pk)
    )


def _check_current(locked: InformationRequest, *, version: int, allowed: set, action: str) -> None:
    if locked.version != version:
        raise RequestConflict(
            f"This request changed while you were writing (it is now {RequestState(locked.state).label.lower()}). "
            "Nothing was sent; your text is kept below. Read the thread, then send it again if it still applies."
        )
    if locked.state not in allowed:
        raise RequestConflict(
            f"A {RequestState(locked.state).label.lower()} request cannot be {action}; nothing was changed."
        )


def _advance(locked: InformationRequest, *, state: str, **fields) -> None:
    locked.state = state
    locked.version += 1
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=["state", "version", "updated_at", *fields])


@transaction.atomic
def information_request_answer(
    *,
    information_request: InformationRequest,
    answerer: User,
    text: str,
    evidence_items=(),
    new_evidence: dict | None = None,
    version: int,
) -> RequestMessage:
    """A member of the owning team answers, optionally linking evidence items of the same
    report (which the caller has narrowed to what the answerer can see) and adding a new one
    (`new_evidence`: title, kind, sensitivity, summary, source; see `_evidence_add`)."""
    locked = _lock(information_request)
    if not _may_answer(answerer, locked):
        raise RequestNotAllowed(f"Only members of {locked.team.name} answer this request.")
    _check_current(locked, version=version, allowed=ANSWERABLE, action="answered")
    if not text.strip():
        raise RequestInvalid("Write an answer.")
    evidence_items = list(evidence_items)
    if any(evidence.report_id != locked.report_id for evidence in evidence_items):
        raise RequestInvalid("Only evidence of this report can be linked.")
    if new_evidence:
        evidence_items.append(_evidence_add(information_request=locked, answerer=answerer, **new_evidence))
    now = timezone.now()
    message = RequestMessage.objects.create(request=locked, author=answerer, kind=MessageKind.ANSWER, text=text)
    message.evidence.set(evidence_items)
    first = locked.first_answered_at is None
    _advance(locked, state=RequestState.ANSWERED, **({"first_answered_at": now} if first else {}))
    search_index_information_request(locked)
    log_action(
        report=locked.report,
        actor=answerer,
        action="evidence.request.answered",
        target=locked,
        data={"evidence": [evidence.slug for evidence in evidence_items], "first_answer": first},
    )
    return message


def _evidence_add(
    *,
    information_request: InformationRequest,
    answerer: User,
    title: str,
    kind: str,
    sensitivity: str,
    summary: str,
    source: str,
) -> Evidence:
    """A new evidence item owned by the answering team, added to the report. When the request
    is about a claim, the item is linked to it as context (an evidence item is reachable
    through the claims it backs, so a pathway-limited reviewer can then read it); about an
    evidence item, to the claims that item backs. Authors decide later how it bears on the argument."""
    report = information_request.report
    base = slugify(title)[:50].strip("-") or "evidence"
    taken = set(Evidence.objects.filter(report=report, slug__startswith=base).values_list("slug", flat=True))
    slug = next(candidate for candidate in [base, *(f"{base}-{n}" for n in range(2, 1000))] if candidate not in taken)
    position = (Evidence.objects.filter(report=report).aggregate(Max("position"))["position__max"] or 0) + 1
    evidence = Evidence.objects.create(
        report=report,
        slug=slug,
        title=title,
        kind=kind,
        owner_team=information_request.team,
        sensitivity=sensitivity,
        summary=summary,
        source=source,
        position=position,
    )
    search_index_evidence(evidence)
    claims: list[Claim]
    if information_request.claim is not None:
        claims = [information_request.claim]
    elif information_request.evidence_id:
        claims = list(Claim.objects.filter(evidence_links__evidence=information_request.evidence))
    else:
        claims = []
    for claim in claims:
        ClaimEvidence.objects.create(claim=claim, evidence=evidence, relation=Relation.CONTEXT, position=position)
    if information_request.chain_step_id:  # the step now rests on it
        step_links = ChainStepEvidence.objects.filter(step_id=information_request.chain_step_id)
        ChainStepEvidence.objects.create(
            step_id=information_request.chain_step_id, evidence=evidence, position=step_links.count()
        )
    log_action(
        report=report,
        actor=answerer,
        action="evidence.evidence.added",
        target=evidence,
        data={"request": information_request.pk, "claims": [claim.slug for claim in claims]},
    )
    return evidence


@transaction.atomic
def information_request_follow_up(
    *, information_request: InformationRequest, author: User, text: str, version: int
) -> RequestMessage:
    """Someone of the requesting organisation asks further after an answer."""
    locked = _lock(information_request)
    if not _may_act_as_requester(author, locked):
        raise RequestNotAllowed(f"Only {locked.organisation.name} follows up on this request.")
    _check_current(locked, version=version, allowed=FOLLOWABLE, action="followed up")
    if not text.strip():
        raise RequestInvalid("Write what you still need to know.")
    message = RequestMessage.objects.create(request=locked, author=author, kind=MessageKind.FOLLOW_UP, text=text)
    _advance(locked, state=RequestState.FOLLOW_UP)
    search_index_information_request(locked)
    log_action(report=locked.report, actor=author, action="evidence.request.followed_up", target=locked)
    return message


@transaction.atomic
def information_request_close(
    *, information_request: InformationRequest, closer: User, text: str = "", version: int
) -> RequestMessage:
    """The requesting organisation closes the request: answered enough, or no longer needed."""
    locked = _lock(information_request)
    if not _may_act_as_requester(closer, locked):
        raise RequestNotAllowed(f"Only {locked.organisation.name} closes this request.")
    _check_current(locked, version=version, allowed=CLOSABLE, action="closed")
    message = RequestMessage.objects.create(request=locked, author=closer, kind=MessageKind.CLOSE, text=text)
    _advance(locked, state=RequestState.CLOSED, closed_at=timezone.now())
    search_index_information_request(locked)
    log_action(report=locked.report, actor=closer, action="evidence.request.closed", target=locked)
    return message


@transaction.atomic
def information_request_decline(
    *, information_request: InformationRequest, decliner: User, reason: str, version: int
) -> RequestMessage:
    """A member of the owning team declines the request, with a reason the requester reads."""
    locked = _lock(information_request)
    if not _may_answer(decliner, locked):
        raise RequestNotAllowed(f"Only members of {locked.team.name} decline this request.")
    _check_current(locked, version=version, allowed=DECLINABLE, action="declined")
    if not reason.strip():
        raise RequestInvalid("Say why the request is declined.")
    message = RequestMessage.objects.create(request=locked, author=decliner, kind=MessageKind.DECLINE, text=reason)
    _advance(locked, state=RequestState.DECLINED, decline_reason=reason, closed_at=timezone.now())
    search_index_information_request(locked)
    log_action(report=locked.report, actor=decliner, action="evidence.request.declined", target=locked)
    return message
