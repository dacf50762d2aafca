"""Notifications in the app: the list, marking read and opening. The bell is in
test_notifications_bell.py, the settings in test_notification_settings.py.

A person sees only their own delivered notifications, and only while they can still see
what each is about; another person's notification answers 404 and nothing changes.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from pathways.services import access_grant, access_revoke
from reviewapp.enums import NotificationState
from reviewapp.models import Notification
from reviewapp.selectors.notifications import notifications_visible_to, unread_notification_count
from tests.factories import ReportFactory
from tests.helpers import HTMX
from tests.reviewapp.matrix.notifications import delivered
from tests.reviewapp.matrix.requests import bob_government_request, file_request

LIST = reverse("notification_list")
BELL = reverse("notification_bell")
SETTINGS = reverse("notification_settings")


def _html(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------- the list


def test_the_list_shows_only_my_own_delivered_notifications(client, world, external_reviewer, stress_tester):
    delivered(external_reviewer, world.report, subject="Erin's delivered notice")
    delivered(stress_tester, world.report, subject="Bob's delivered notice")
    for state in (NotificationState.PENDING, NotificationState.SUPPRESSED, NotificationState.FAILED):
        note = delivered(external_reviewer, world.report, subject=f"Erin's {state} notice")
        Notification.objects.filter(pk=note.pk).update(state=state)
    client.force_login(external_reviewer)

    html = _html(client.get(LIST))

    assert "Erin&#x27;s delivered notice" in html
    assert "Bob&#x27;s" not in html
    for state in ("pending", "suppressed", "failed"):
        assert f"Erin&#x27;s {state} notice" not in html
    assert "1 unread · 1 in all" in html


def test_a_notification_sent_through_the_real_path_appears_with_its_text(
    client, world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        information_request = file_request(
            world,
            external_reviewer,
            title="How are outbound transfers detected?",
            question="Which monitors see a large outbound transfer?",
        )
    client.force_login(team_member)

    html = _html(client.get(LIST))

    assert "New request to Security: How are outbound transfers detected?" in html
    assert "Which monitors see a large outbound transfer?" in html
    note = Notification.objects.get(recipient=team_member)
    assert reverse("notification_open", args=[note.pk]) in html
    response = client.post(reverse("notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", args=["pilot", information_request.pk])


def test_newest_come_first_and_unread_ones_are_marked_in_words(client, world, external_reviewer):
    older = delivered(external_reviewer, world.report, subject="The older notice")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1), read_at=timezone.now()
    )
    delivered(external_reviewer, world.report, subject="The newer notice")
    client.force_login(external_reviewer)

    html = _html(client.get(LIST))

    assert html.index("The newer notice") < html.index("The older notice")
    newer_item = html[html.index("The newer notice") - 600 : html.index("The newer notice")]
    older_item = html[html.index("The older notice") - 600 : html.index("The older notice")]
    assert ">Unread</span>" in newer_item
    assert ">Unread</span>" not in older_item
    assert "Read · " in older_item


def test_the_list_is_paginated(client, world, external_reviewer):
    for number in range(31):
        delivered(external_reviewer, world.report, subject=f"Notice number {number:02d}")
    client.force_login(external_reviewer)

    first = _html(client.get(LIST))
    second = _html(client.get(LIST, {"page": 2}))

    assert "Notice number 30" in first and "Notice number 00" not in first
    assert "Notice number 00" in second and "Notice number 30" not in second
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first


def test_an_empty_list_explains_what_would_come_and_links_to_the_settings(client, world, outsider):
    client.force_login(outsider)

    html = _html(client.get(LIST))

    assert "Nothing yet." in html
    assert "when a request is filed to your team" in html
    assert f'href="{SETTINGS}"' in html
    assert "Mark all read" not in html


def test_a_revoked_persons_notifications_of_that_report_are_hidden_and_not_counted(client, world, external_reviewer):
    note = delivered(external_reviewer, world.report, subject="Before the revocation")
    other_report = ReportFactory(slug="other", title="Other report")
    access_grant(report=other_report, user=external_reviewer, role="external_reviewer", org_name="Holdout Evaluators")
    delivered(external_reviewer, other_report, subject="On a report still shared")
    client.force_login(external_reviewer)
    assert unread_notification_count(external_reviewer) == 2

    access_revoke(report=world.report, user=external_reviewer)

    html = _html(client.get(LIST))
    assert "Before the revocation" not in html
    assert "Pilot report" not in html
    assert "On a report still shared" in html
    assert unread_notification_count(external_reviewer) == 1
    assert '1<span class="visually-hidden"> unread notification</span>' in _html(client.get(BELL))
    assert client.post(reverse("notification_open", args=[note.pk])).status_code == 404
    assert client.post(reverse("notification_mark_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_notification_about_a_request_out_of_my_scope_is_hidden(
    client, world, external_reviewer, stress_tester, request
):
    information_request = bob_government_request(world, request.getfixturevalue)
    delivered(external_reviewer, world.report, subject="Gov question", information_request=information_request)
    delivered(external_reviewer, world.report, subject="Something I may see")
    client.force_login(external_reviewer)

    html = _html(client.get(LIST))

    assert "Gov question" not in html
    assert "Something I may see" in html
    assert list(notifications_visible_to(external_reviewer).values_list("subject", flat=True)) == [
        "Something I may see"
    ]


def test_a_signed_out_person_has_no_notifications(world, external_reviewer):
    delivered(external_reviewer, world.report)
    assert not notifications_visible_to(AnonymousUser()).exists()
    assert unread_notification_count(AnonymousUser()) == 0


# ------------------------------------------------------------- marking read


def test_mark_read_marks_that_one_and_redirects_back_with_a_message(client, world, external_reviewer):
    note = delivered(external_reviewer, world.report, subject="Mark me")
    other = delivered(external_reviewer, world.report, subject="Leave me")
    client.force_login(external_reviewer)

    response = client.post(reverse("notification_mark_read", args=[note.pk]), {"page": "1"}, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "Marked read: Mark me" in _html(response)
    note.refresh_from_db()
    other.refresh_from_db()
    assert note.read_at is not None
    assert other.read_at is None


def test_mark_read_by_htmx_swaps_the_list_and_tells_the_bell(client, world, external_reviewer):
    note = delivered(external_reviewer, world.report, subject="Mark me")
    delivered(external_reviewer, world.report, subject="Leave me")
    client.force_login(external_reviewer)

    response = client.post(reverse("notification_mark_read", args=[note.pk]), {"page": "1"}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Trigger"] == "notifications-changed"
    html = _html(response)
    assert html.lstrip().startswith('<div id="notification-status" hx-swap-oob="innerHTML">')
    assert 'id="notification-list"' in html
    assert "<html" not in html
    assert "1 unread · 2 in all" in html
    # Focus goes back to the item acted on: its "Open" button.
    assert f'action="{reverse("notification_open", args=[note.pk])}"' in html
    assert html.count("autofocus") == 1 and html.index("autofocus") > html.index(
        f'action="{reverse("notification_open", args=[note.pk])}"'
    )


def test_mark_all_read_marks_only_my_visible_notifications(client, world, external_reviewer, stress_tester, request):
    mine = [delivered(external_reviewer, world.report, subject=f"Mine {n}") for n in range(3)]
    hidden = delivered(
        external_reviewer,
        world.report,
        subject="Hidden",
        information_request=bob_government_request(world, request.getfixturevalue),
    )
    bobs = delivered(stress_tester, world.report, subject="Bob's")
    client.force_login(external_reviewer)

    response = client.post(reverse("notification_mark_all_read"), follow=True)

    assert "Marked 3 notifications read." in _html(response)
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    for untouched in (hidden, bobs):
        untouched.refresh_from_db()
        assert untouched.read_at is None


def test_mark_all_read_by_htmx_tells_the_bell(client, world, external_reviewer):
    delivered(external_reviewer, world.report)
    client.force_login(external_reviewer)

    response = client.post(reverse("notification_mark_all_read"), {"page": "1"}, **HTMX)

    assert response["HX-Trigger"] == "notifications-changed"
    assert "No unread notifications · 1 in all" in _html(response)
    assert "Mark all read</button>" not in _html(response)
    assert unread_notification_count(external_reviewer) == 0


@pytest.mark.parametrize("method,name", [("post", "notification_mark_read"), ("post", "notification_open")])
def test_another_persons_notification_answers_404_and_nothing_changes(
    client, world, external_reviewer, stress_tester, method, name
):
    bobs = delivered(stress_tester, world.report, subject="Bob's own")
    client.force_login(external_reviewer)

    response = getattr(client, method)(reverse(name, args=[bobs.pk]))

    assert response.status_code == 404
    assert "Bob&#x27;s own" not in _html(response)
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_an_undelivered_notification_answers_404(client, world, external_reviewer):
    note = delivered(external_reviewer, world.report)
    Notification.objects.filter(pk=note.pk).update(state=NotificationState.PENDING)
    client.force_login(external_reviewer)

    assert client.post(reverse("notification_open", args=[note.pk])).status_code == 404


def test_marking_read_needs_a_post(client, world, external_reviewer):
    note = delivered(external_reviewer, world.report)
    client.force_login(external_reviewer)

    assert client.get(reverse("notification_mark_read", args=[note.pk])).status_code == 405
    assert client.get(reverse("notification_open", args=[note.pk])).status_code == 405
    assert client.get(reverse("notification_mark_all_read")).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None


# ----------------------------------------------------------------- opening


def test_open_marks_read_and_goes_to_the_stored_path(client, world, external_reviewer):
    note = delivered(external_reviewer, world.report, url="/reports/pilot/claims/egress-monitoring/")
    client.force_login(external_reviewer)

    response = client.post(reverse("notification_open", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/reports/pilot/claims/egress-monitoring/"
    note.refresh_from_db()
    assert note.read_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "javascript:alert(1)",
        "reports/pilot/",
        "",
    ],
)
def test_open_goes_only_to_a_path_on_this_site(client, world, external_reviewer, url):
    note = delivered(external_reviewer, world.report, url=url)
    client.force_login(external_reviewer)

    response = client.post(reverse("notification_open", args=[note.pk]))

    assert response.status_code == 302
    assert response["Location"] == LIST
    note.refresh_from_db()
    assert note.read_at is not None
