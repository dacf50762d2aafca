"""Writing notifications to the outbox, in the transaction of the event that causes them.

Each `notify_*` function is called by the service that makes the change, inside its
transaction: the outbox rows commit with the change or not at all. Rows hold who is told of
what (`kind`, the request, comment, verdict or sign-off) and a `dedupe_key` unique per
recipient, so a retried event or a reminder run twice tells nobody twice; no text is written
here. When the transaction commits, each new row's delivery is handed to the worker
(`reviewapp.tasks.notifications.notification_deliver`), which renders it under the
recipient's scope at sending time. If the broker cannot be reached then, the rows stay
pending and the periodic outbox sweep hands them over once it can: nothing is lost, and
the web request that made the change does not fail.

The person who caused an event is never told of it.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from evidence.models import InformationRequest, RequestMessage
from monitoring.models import WarningSign
from pathways.enums import Role
from pathways.models import Conclusion, Report, User
from pathways.selectors import people_with_roles
from reviewapp.enums import Delivery, NotificationKind, NotificationState
from reviewapp.models import Comment, Finding, Notification, NotificationPreference, RoadmapItem, SignOff, Verdict
from reviewapp.tasks.queue import enqueue_deliveries

# Until a person chooses, every kind comes immediately, except the ones that are news
# rather than a call to act, which wait for the daily digest.
DEFAULT_DELIVERY: dict[str, str] = {
    **dict.fromkeys(NotificationKind, Delivery.IMMEDIATELY),
    NotificationKind.VERDICT_RECORDED: Delivery.DIGEST,
    NotificationKind.SIGNOFF_RECORDED: Delivery.DIGEST,
}


def notify(
    *,
    kind: str,
    recipients: Iterable[User] | QuerySet,
    report: Report,
    actor: User | None,
    dedupe_key: str,
    information_request: InformationRequest | None = None,
    request_message: RequestMessage | None = None,
    comment: Comment | None = None,
    verdict: Verdict | None = None,
    sign_off: SignOff | None = None,
    warning_sign: WarningSign | None = None,
    finding: Finding | None = None,
    roadmap_item: RoadmapItem | None = None,
) -> int:
    """Write one pending notification per recipient (but the actor, and anyone already told
    of `dedupe_key`) and hand them to the worker once the transaction commits. Returns how
    many were written."""
    recipient_ids = {person.pk for person in recipients if person.is_active} - {actor.pk if actor else None}
    if not recipient_ids:
        return 0
    rows = [
        Notification(
            recipient_id=recipient_id,
            kind=kind,
            report=report,
            actor=actor,
            dedupe_key=dedupe_key,
            information_request=information_request,
            request_message=request_message,
            comment=comment,
            verdict=verdict,
            sign_off=sign_off,
            warning_sign=warning_sign,
            finding=finding,
            roadmap_item=roadmap_item,
        )
        for recipient_id in sorted(recipient_ids)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    new_ids = list(
        Notification.objects.filter(
            dedupe_key=dedupe_key, recipient_id__in=recipient_ids, state=NotificationState.PENDING
        ).values_list("id", flat=True)
    )
    transaction.on_commit(lambda: enqueue_deliveries(new_ids), robust=True)
    return len(new_ids)


def _team_members(information_request: InformationRequest) -> QuerySet[User]:
    return information_request.team.members.all()


def _authors(report: Report) -> QuerySet[User]:
    return people_with_roles(report=report, roles=[Role.AUTHOR])


def notify_request_filed(information_request: InformationRequest) -> int:
    return notify(
        kind=NotificationKind.REQUEST_FILED,
        recipients=_team_members(information_request),
        report=information_request.report,
        actor=information_request.requester,
        dedupe_key=f"request_filed:{information_request.pk}",
        information_request=information_request,
    )


def notify_request_message(message: RequestMessage) -> int:
    """An answer tells the requester; a follow-up tells the owning team; a decline, the requester."""
    information_request = message.request
    kind, recipients = {
        "answer": (NotificationKind.REQUEST_ANSWERED, [information_request.requester]),
        "follow_up": (NotificationKind.REQUEST_FOLLOWED_UP, _team_members(information_request)),
        "decline": (NotificationKind.REQUEST_DECLINED, [information_request.requester]),
    }.get(message.kind, (None, []))
    if kind is None:
        return 0
    return notify(
        kind=kind,
        recipients=recipients,
        report=information_request.report,
        actor=message.author,
        dedupe_key=f"{kind}:{message.pk}",
        information_request=information_request,
        request_message=message,
    )


def notify_request_due_soon(information_request: InformationRequest) -> int:
    """The owning team, the day before a request is due (once per due date)."""
    return notify(
        kind=NotificationKind.REQUEST_DUE_SOON,
        recipients=_team_members(information_request),
        report=information_request.report,
        actor=None,
        dedupe_key=f"request_due_soon:{information_request.pk}:{information_request.due_date.isoformat()}",
        information_request=information_request,
    )


def notify_request_overdue(information_request: InformationRequest) -> int:
    """Escalation, once per due date: the owning team, the requester and the report's authors."""
    recipients = [
        *_team_members(information_request),
        information_request.requester,
        *_authors(information_request.report),
    ]
    return notify(
        kind=NotificationKind.REQUEST_OVERDUE,
        recipients=recipients,
        report=information_request.report,
        actor=None,
        dedupe_key=f"request_overdue:{information_request.pk}:{information_request.due_date.isoformat()}",
        information_request=information_request,
    )


def notify_comment(comment: Comment, mentioned: Iterable[User]) -> int:
    """Mentions tell the people mentioned; a reply tells the others who took part in the
    thread (who were not mentioned, and so are told once). On an edit, only people newly
    mentioned hear of it: the keys are the same as when the comment was posted."""
    mentioned = list(mentioned)
    written = notify(
        kind=NotificationKind.MENTION,
        recipients=mentioned,
        report=comment.report,
        actor=comment.author,
        dedupe_key=f"mention:{comment.pk}",
        comment=comment,
    )
    if comment.parent_id:
        thread = Comment.objects.filter(pk=comment.parent_id).values("author_id")
        replies = Comment.objects.filter(parent_id=comment.parent_id).values("author_id")
        participants = User.objects.filter(pk__in=thread.union(replies)).exclude(
            pk__in=[person.pk for person in mentioned]
        )
        written += notify(
            kind=NotificationKind.THREAD_REPLY,
            recipients=participants,
            report=comment.report,
            actor=comment.author,
            dedupe_key=f"thread_reply:{comment.pk}",
            comment=comment,
        )
    return written


def notify_verdict_recorded(verdict: Verdict) -> int:
    return notify(
        kind=NotificationKind.VERDICT_RECORDED,
        recipients=_authors(verdict.conclusion.report),
        report=verdict.conclusion.report,
        actor=verdict.recorded_by,
        dedupe_key=f"verdict_recorded:{verdict.pk}",
        verdict=verdict,
    )


def notify_verdicts_stale(conclusion: Conclusion, *, editor: User) -> int:
    """After a conclusion changed: each current verdict given on an earlier revision tells
    the report's authors and the person who recorded it (once per verdict and revision)."""
    written = 0
    stale = (
        Verdict.objects.filter(conclusion=conclusion, is_current=True)
        .exclude(conclusion_revision=conclusion.revision)
        .select_related("recorded_by")
    )
    authors = list(_authors(conclusion.report))
    for verdict in stale:
        written += notify(
            kind=NotificationKind.VERDICT_STALE,
            recipients=[*authors, verdict.recorded_by],
            report=conclusion.report,
            actor=editor,
            dedupe_key=f"verdict_stale:{verdict.pk}:{conclusion.revision}",
            verdict=verdict,
        )
    return written


def notify_signoff_recorded(sign_off: SignOff) -> int:
    """Everyone who holds a role on the report: authors, leadership and the reviewers."""
    report = sign_off.report
    roles = [Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER]
    recipients = people_with_roles(report=report, roles=roles, include_pathway_grants=True)
    return notify(
        kind=NotificationKind.SIGNOFF_RECORDED,
        recipients=recipients,
        report=report,
        actor=sign_off.decided_by,
        dedupe_key=f"signoff_recorded:{sign_off.pk}",
        sign_off=sign_off,
    )


def notify_warning_sign_reopened(sign: WarningSign, *, actor: User, claims: list) -> int:
    """Authors, leadership, the members of the teams owning the sign's claims, and every
    reviewer of the report; each is told at sending time only of what they may see (the
    re-opened pathways in their scope, the sign's text at its level), and not at all when
    none of it is theirs."""
    report = sign.report
    roles = [Role.AUTHOR, Role.LEADERSHIP, Role.STRESS_TESTER, Role.EXTERNAL_REVIEWER]
    recipients = list(people_with_roles(report=report, roles=roles, include_pathway_grants=True))
    teams = {claim.owner_team_id for claim in claims}
    recipients += list(User.objects.filter(teams__in=teams).distinct())
    return notify(
        kind=NotificationKind.WARNING_SIGN_REOPENED,
        recipients=recipients,
        report=report,
        actor=actor,
        dedupe_key=f"warning_sign_reopened:{sign.pk}",
        warning_sign=sign,
    )


# ------------------------------------------------------------------ the person's side


def notify_finding_raised(finding: Finding) -> int:
    """The report's authors, who answer it."""
    return notify(
        kind=NotificationKind.FINDING_RAISED,
        recipients=_authors(finding.report),
        report=finding.report,
        actor=finding.raised_by,
        dedupe_key=f"finding_raised:{finding.pk}",
        finding=finding,
    )


def notify_finding_answered(finding: Finding) -> int:
    """The reviewer who raised it, of each answer (a changed answer tells them again)."""
    return notify(
        kind=NotificationKind.FINDING_ANSWERED,
        recipients=[finding.raised_by],
        report=finding.report,
        actor=finding.disposed_by,
        dedupe_key=f"finding_answered:{finding.pk}:{finding.version}",
        finding=finding,
    )


def notify_roadmap_due_soon(item: RoadmapItem) -> int:
    """The owning team, the day before an open mitigation's target date (once per date)."""
    assert item.target_date is not None  # the reminder selects dated items
    return notify(
        kind=NotificationKind.ROADMAP_DUE_SOON,
        recipients=item.owner_team.members.all(),
        report=item.report,
        actor=None,
        dedupe_key=f"roadmap_due_soon:{item.pk}:{item.target_date.isoformat()}",
        roadmap_item=item,
    )


def notify_roadmap_overdue(item: RoadmapItem) -> int:
    """Escalation, once per target date: the owning team and the report's authors."""
    assert item.target_date is not None  # the reminder selects dated items
    return notify(
        kind=NotificationKind.ROADMAP_OVERDUE,
        recipients=[*item.owner_team.members.all(), *_authors(item.report)],
        report=item.report,
        actor=None,
        dedupe_key=f"roadmap_overdue:{item.pk}:{item.target_date.isoformat()}",
        roadmap_item=item,
    )


def delivery_for(user: User, kind: str) -> str:
    preference = NotificationPreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True).first()
    return preference or DEFAULT_DELIVERY[kind]


def delivery_preferences(user: User) -> dict[str, str]:
    """Every kind with this person's choice, or its default (one query)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind.values}


@transaction.atomic
def notification_preferences_set(*, user: User, choices: dict[str, str]) -> None:
    """Save this person's choice per kind; unknown kinds or deliveries are refused."""
    for kind, delivery in choices.items():
        if kind not in NotificationKind.values or delivery not in Delivery.values:
            raise ValueError(f"'{kind}: {delivery}' is not a notification kind and delivery")
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def notifications_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark this person's notifications read: the given ones, or all. Others' ids do nothing."""
    unread = Notification.objects.filter(recipient=user, state=NotificationState.DELIVERED, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
