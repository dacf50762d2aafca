"""Scoped reads of notifications.

Rule: a person sees only their own notifications, once delivered (rendered under their
scope), and only while they can still see what each is about: the report must be in
`reports_visible_to`, and the request, comment or verdict it names in
`information_requests_visible_to`, `comments_visible_to` or `verdicts_visible_to`. The
text was written when they could see the thing; if they no longer can (access revoked,
left the team, the pathway withdrawn from their grant, or their reading level lowered below
the one the text was written for), the stored text is not shown and not counted, from their
next request on. Counts are counted from this same scope.
"""

from django.db.models import Q, QuerySet

from evidence.selectors import information_requests_visible_to
from pathways.enums import Sensitivity
from pathways.selectors import reports_visible_to
from reviewapp.enums import NotificationState
from reviewapp.models import Notification
from reviewapp.selectors.comments import comments_visible_to
from reviewapp.selectors.verdicts import verdicts_visible_to


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def notifications_visible_to(user) -> QuerySet[Notification]:
    """This person's delivered notifications about things they can see now, newest first."""
    if not _signed_in(user):
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(recipient=user)
        & Q(state=NotificationState.DELIVERED)
        & Q(rendered_level__in=Sensitivity.at_or_below(user.reading_level))
        & Q(report_id__in=reports_visible_to(user).values("id"))
        & (
            Q(information_request_id__isnull=True)
            | Q(information_request_id__in=information_requests_visible_to(user).values("id"))
        )
        & (Q(comment_id__isnull=True) | Q(comment_id__in=comments_visible_to(user).values("id")))
        & (Q(verdict_id__isnull=True) | Q(verdict_id__in=verdicts_visible_to(user).values("id")))
    ).order_by("-created_at", "-id")


def unread_notification_count(user) -> int:
    """How many of `notifications_visible_to(user)` are unread (one query; 0 when signed out)."""
    if not _signed_in(user):
        return 0
    return notifications_visible_to(user).filter(read_at__isnull=True).count()
