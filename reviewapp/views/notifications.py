"""Notifications in the app: the bell, the list, marking read, and each person's choices.

Every read goes through `notifications_visible_to`: a person sees their own delivered
notifications about things they can still see, and nobody else's. Another person's
notification, or one about something now out of their scope, answers 404 and nothing
changes. Writes are the services of reviewapp.services.notifications.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reviewapp.forms.notifications import NotificationPreferencesForm
from reviewapp.pages import is_htmx, reader_required
from reviewapp.selectors.notifications import notification_for_user, notifications_visible_to
from reviewapp.services.notifications import (
    delivery_preferences,
    notification_preferences_set,
    notifications_mark_read,
)

NOTIFICATIONS_PER_PAGE = 30
LIST = "reviewapp/notifications/list.html"
# The event the bell listens for (`hx-trigger` in base.html): sent with every answer that
# changes what is unread, so the count in the top bar follows at once.
CHANGED_EVENT = "notifications-changed"


def _is_local_path(request, url: str) -> bool:
    """A path on this site ("/reports/…"), never another host, a scheme or a "//host" path."""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def _page_number(request) -> str:
    return request.POST.get("page") or request.GET.get("page") or "1"


def _list_context(request, *, page_number, focus: int | str = "", notice: str = "") -> dict:
    notifications = notifications_visible_to(request.user).select_related("report")
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(page_number)
    return {
        "page": page,
        "notifications": list(page),
        # Also the bell's count on this page (the tag takes it rather than count again).
        "unread_notifications": notifications.filter(read_at__isnull=True).count(),
        "focus": focus,
        "notice": notice,
    }


def _after_change(request, *, notice: str, focus: int | str):
    """htmx: the list again, with what changed said in the status line and focus put back
    where the person was; the bell refreshes on the event. Without htmx: a message and
    back to the same page of the list."""
    page_number = _page_number(request)
    if is_htmx(request):
        context = _list_context(request, page_number=page_number, focus=focus, notice=notice)
        response = render(request, f"{LIST}#notification-list", context)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(request, notice)
    url = reverse("notification_list")
    if page_number != "1" and page_number.isdigit():
        url += f"?page={page_number}"
    return redirect(url)


@require_GET
@reader_required
def notification_list(request):
    """The person's notifications, newest first, unread ones marked."""
    context = _list_context(request, page_number=_page_number(request))
    template = LIST + ("#notification-list" if is_htmx(request) else "")
    return render(request, template, context)


@require_GET
@reader_required
def notification_bell(request):
    """The bell of the top bar, for htmx to refresh: the link with the unread count."""
    return render(request, "base.html#notification-bell")


@require_POST
@reader_required
def notification_open(request, pk):
    """Mark the notification read and go to what it is about (a POST, as every change is:
    a link on another site cannot mark someone's notifications read). Only a path on this
    site is followed: anything else stored in `url` lands on the list instead."""
    notification = notification_for_user(request.user, pk)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    if not _is_local_path(request, notification.url):
        messages.info(request, "That notification has no page to open; it is marked read.")
        return redirect("notification_list")
    return redirect(notification.url)


@require_POST
@reader_required
def notification_mark_read(request, pk):
    notification = notification_for_user(request.user, pk)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    return _after_change(request, notice=f"Marked read: {notification.subject}", focus=notification.pk)


@require_POST
@reader_required
def notification_mark_all_read(request):
    """Everything the person can see that is unread, and nothing they cannot see (so that a
    notification hidden by a lapse in access is still unread if access returns)."""
    unread = notifications_visible_to(request.user).filter(read_at__isnull=True).values_list("id", flat=True)
    marked = notifications_mark_read(user=request.user, notification_ids=unread)
    notice = f"Marked {marked} notification{'s' if marked != 1 else ''} read." if marked else "Nothing was unread."
    return _after_change(request, notice=notice, focus="summary")


@require_http_methods(["GET", "POST"])
@reader_required
def notification_settings(request):
    """The person's choice per kind: immediately, in the daily digest, or not at all. A
    refused form (an unknown kind or delivery) saves nothing and says what was wrong."""
    form = NotificationPreferencesForm(
        request.POST or None, current=delivery_preferences(request.user), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_set(user=request.user, choices=form.choices())
        except ValueError as refusal:
            form.add_error(None, f"Nothing was saved: {refusal}.")
        else:
            messages.success(request, "Your notification choices are saved.")
            return redirect("notification_settings")
    return render(request, "reviewapp/notifications/settings.html", {"form": form})


urlpatterns = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/bell/", notification_bell, name="notification_bell"),
    path("notifications/read-all/", notification_mark_all_read, name="notification_mark_all_read"),
    path("notifications/<int:pk>/open/", notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", notification_mark_read, name="notification_mark_read"),
    path("notifications/settings/", notification_settings, name="notification_settings"),
]
