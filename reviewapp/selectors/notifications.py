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

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from evidence.selectors import information_request_scope
from pathways.access import Access, access_of
from pathways.selectors import NOTHING, Kept, any_of, report_scope, scoped
from reviewapp.enums import NotificationState
from reviewapp.models import Notification
from reviewapp.selectors.comments import comment_scope
from reviewapp.selectors.verdicts import verdict_scope


def notification_scope(access: Access) -> Q:
    """This person's delivered notifications about things they can see now."""
    if not access.signed_in or not access.visible_report_ids:
        return NOTHING
    return (
        Q(recipient_id=access.user_id, state=NotificationState.DELIVERED, rendered_level__in=access.readable)
        & report_scope(access, "report__")
        & any_of(Q(information_request__isnull=True), information_request_scope(access, "information_request__"))
        & any_of(Q(comment__isnull=True), comment_scope(access, "comment__"))
        & any_of(Q(verdict__isnull=True), verdict_scope(access, "verdict__"))
    )


def notifications_visible_to(person) -> QuerySet[Notification]:
    """This person's delivered notifications about things they can see now, newest first."""
    return scoped(Notification, notification_scope, person).order_by("-created_at", "-id")


def notification_for_user(person, pk) -> Notification:
    """The person's own notification, or 404 when it is another's, undelivered or out of scope."""
    return get_object_or_404(notifications_visible_to(person), pk=pk)


# The bell counts this far: beyond it shows "99+", and a count never reads more rows than this.
BELL_COUNT_LIMIT = 99


# The count's SQL, by (access fingerprint, limit): every page asks it, and compiling the
# scope into SQL cost more than running it.
COUNT_SQL = Kept(size=1024)


def unread_notification_count(person, *, limit: int | None = None) -> int:
    """How many of `notifications_visible_to(person)` are unread (one query; none when signed
    out or when the scope holds nothing). With `limit`, counting stops at limit + 1, so a
    long unread backlog costs no more than a short one."""
    access = access_of(person)
    if not access.signed_in:
        return 0

    def compile_count():
        unread = notifications_visible_to(access).filter(read_at__isnull=True).order_by().values("id")
        if limit is not None:
            unread = unread[: limit + 1]
        try:
            sql, params = unread.query.get_compiler(using=unread.db).as_sql()
        except EmptyResultSet:
            return None
        return f"SELECT COUNT(*) FROM ({sql}) AS unread", params

    compiled = COUNT_SQL.get((access.fingerprint, limit), compile_count)
    if compiled is None:
        return 0
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(*compiled)
        return cursor.fetchone()[0]
