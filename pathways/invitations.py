"""Invitations: bringing a new person to one report without an administrator.

Rules:
- The inviter (who manages the report's people) states the clearance, the role, the
  organisation and, for an external reviewer, the pathways. Internal clearance is given
  only by staff; anyone else invites external people only.
- The link is single-use and expires (INVITATION_DAYS). Only the SHA-256 of its token is
  stored. An invitation is opened by its report and its token together: a token shown
  with another report's address is refused like a forged one, and every refusal reads
  the same (`InvitationInvalid`), so a link tells nothing about other invitations.
- Accepting creates the account (clearance as invited) and grants the access, in one
  transaction with the invitation locked, so two tabs cannot accept it twice. It is refused
  once the inviter could no longer send it (no longer managing the report's people, or no
  longer staff for internal clearance), and when every pathway it was limited to is gone
  (it never widens to the whole report).
- Inviting, withdrawing and accepting are each in the report's audit log.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pathways.access import access_of
from pathways.audit import log_action
from pathways.enums import REVIEWER_ROLES, Clearance, Role
from pathways.models import Invitation, Pathway, Report, ReviewerOrganisation, User
from pathways.people import AccessError, access_grant


class InvitationInvalid(Exception):
    """The link does not open an invitation: unknown, for another report, used, withdrawn or expired."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    report: Report,
    inviter: User,
    email: str,
    name: str,
    clearance: str,
    role: str,
    org_name: str = "",
    pathways: list[Pathway] | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its token (for the link; never stored). An open invitation of the
    same address to the same report is withdrawn: the newest link is the one that works."""
    role_value = Role(role)
    if clearance == Clearance.INTERNAL and not inviter.is_staff:
        raise AccessError("only staff give internal clearance: invite them as external, or ask staff")
    if role_value.clearance != clearance:
        raise AccessError(
            f"the {role_value.label.lower()} role is for {role_value.clearance.label.lower()} people, "
            f"not {Clearance(clearance).label.lower()} ones"
        )
    if role_value in REVIEWER_ROLES and not org_name:
        raise AccessError(f"a {role_value.label.lower()} reviews for an organisation: name it")
    if pathways and role_value != Role.EXTERNAL_REVIEWER:
        raise AccessError("only external reviewers are limited to some pathways")
    if any(pathway.report_id != report.pk for pathway in pathways or []):
        raise AccessError("a pathway of another report cannot be granted here")
    if (
        role_value in REVIEWER_ROLES
        and not inviter.is_staff
        and ReviewerOrganisation.objects.filter(name=org_name).exists()
    ):
        raise AccessError(f"'{org_name}' exists already: only staff add people to an organisation")
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise AccessError("someone with that address has an account already: give them access instead")

    now = timezone.now()
    Invitation.objects.filter(
        report=report, email__iexact=email, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        report=report,
        email=email,
        name=name,
        clearance=clearance,
        role=role_value.value,
        organisation=org_name if role_value in REVIEWER_ROLES else "",
        token_hash=_hash(token),
        invited_by=inviter,
        expires_at=now + timedelta(days=settings.INVITATION_DAYS),
        limited=bool(pathways),
    )
    invitation.pathways.set(pathways or [])
    log_action(
        report=report,
        actor=inviter,
        action="pathways.access.invited",
        target=invitation,
        data={"email": email, "role": role_value.label, "clearance": clearance},
    )
    return invitation, token


def invitation_open(*, report_slug: str, token: str) -> Invitation:
    """The open invitation this link is for, or InvitationInvalid (one answer for every cause)."""
    invitation = (
        Invitation.objects.select_related("report", "invited_by")
        .filter(token_hash=_hash(token), report__slug=report_slug)
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise InvitationInvalid()
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, username: str, password: str, name: str = "") -> User:
    """Create the invited person and give them the access they were invited to."""
    locked = (
        Invitation.objects.select_for_update(of=("self",)).select_related("report", "invited_by").get(pk=invitation.pk)
    )
    pathway_slugs = list(locked.pathways.values_list("slug", flat=True))
    if not locked.is_open or not _inviter_still_may(locked) or (locked.limited and not pathway_slugs):
        raise InvitationInvalid()
    first, _, last = (name or locked.name).strip().partition(" ")
    person = User.objects.create_user(
        username=username,
        email=locked.email,
        password=password,
        first_name=first[:150],
        last_name=last[:150],
        clearance=locked.clearance,
    )
    try:
        access_grant(
            report=locked.report,
            user=person,
            role=locked.role,
            org_name=locked.organisation,
            pathway_slugs=pathway_slugs,
            actor=locked.invited_by,
        )
    except AccessError:  # the grant no longer fits (say, the organisation was made since): no account either
        raise InvitationInvalid() from None
    locked.accepted_at, locked.accepted_by = timezone.now(), person
    locked.save(update_fields=["accepted_at", "accepted_by"])
    log_action(report=locked.report, actor=person, action="pathways.access.invitation_accepted", target=locked)
    return person


def _inviter_still_may(invitation: Invitation) -> bool:
    """The invitation stands only while its inviter could still send it: they still manage
    the report's people, and are still staff if it gives internal clearance."""
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active:
        return False
    if invitation.clearance == Clearance.INTERNAL and not inviter.is_staff:
        return False
    return access_of(inviter).on(invitation.report).may_manage_people


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor: User) -> bool:
    """Withdraw an open invitation; False if it was no longer open."""
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )
    if updated:
        log_action(
            report=invitation.report, actor=actor, action="pathways.access.invitation_withdrawn", target=invitation
        )
    return bool(updated)


def invitation_in_report(report: Report, pk: int) -> Invitation:
    """One of the report's invitations, or 404."""
    return get_object_or_404(Invitation, pk=pk, report=report)


def open_invitations(report: Report) -> list[Invitation]:
    """The report's invitations not yet accepted or withdrawn, expired ones included (one query)."""
    return list(
        Invitation.objects.filter(report=report, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )
