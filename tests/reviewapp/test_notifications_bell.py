"""The bell: the unread count on every page, in words, as one query, kept fresh by htmx;
and no notification page or fragment makes more queries as the notifications grow.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewapp.enums import NotificationKind
from reviewapp.models import Notification
from reviewapp.services.requests import request_answer
from tests.helpers import HTMX, counted, query_count
from tests.reviewapp.matrix.notifications import delivered
from tests.reviewapp.matrix.requests import bob_government_request, file_request

LIST = reverse("notification_list")
BELL = reverse("notification_bell")


def _html(response) -> str:
    return response.content.decode()


# -------------------------------------------------------------------- bell


def test_the_bell_shows_the_unread_count_in_words(client, world, external_reviewer):
    for _ in range(3):
        delivered(external_reviewer, world.report)
    read = delivered(external_reviewer, world.report)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    client.force_login(external_reviewer)

    html = _html(client.get(reverse("home")))

    assert 'id="notification-bell"' in html
    assert f'href="{LIST}"' in html
    assert '3<span class="visually-hidden"> unread notifications</span>' in html
    assert f'hx-get="{BELL}"' in html
    assert 'hx-trigger="every 60s, notifications-changed from:body"' in html
    assert 'hx-swap="outerHTML"' in html


def test_the_bell_shows_no_count_when_nothing_is_unread(client, world, external_reviewer):
    client.force_login(external_reviewer)

    html = _html(client.get(reverse("home")))

    assert 'id="notification-bell"' in html
    assert "notification-count" not in html
    assert "unread notification" not in html


def test_the_bell_fragment_is_the_bell_alone(client, world, external_reviewer):
    delivered(external_reviewer, world.report)
    client.force_login(external_reviewer)

    response = client.get(BELL, **HTMX)

    html = _html(response).strip()
    assert response.status_code == 200
    assert html.startswith('<span id="notification-bell"')
    assert html.endswith("</span>")
    assert '1<span class="visually-hidden"> unread notification</span>' in html
    assert "<html" not in html


def test_anonymous_people_get_no_bell_and_the_fragment_sends_them_to_log_in(client, world):
    assert 'id="notification-bell"' not in _html(client.get(reverse("login")))

    response = client.get(BELL, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")
    assert client.get(LIST)["Location"].startswith("/accounts/login/?next=")


def test_the_bell_counts_notifications_as_they_arrive(
    client, world, external_reviewer, team_member, django_capture_on_commit_callbacks
):
    information_request = file_request(world, external_reviewer)
    client.force_login(external_reviewer)
    assert "unread notification" not in _html(client.get(BELL))

    with django_capture_on_commit_callbacks(execute=True):
        request_answer(
            information_request=information_request,
            answerer=team_member,
            text="Egress alarms fire within a minute.",
            evidence_items=[],
            version=information_request.version,
        )

    assert '1<span class="visually-hidden"> unread notification</span>' in _html(client.get(BELL))


# -------------------------------------------------------------- query counts


def _grow(world, external_reviewer, stress_tester, persona, times):
    """Notifications of every kind for erin, read and unread, some out of her scope, and bob's."""
    for _ in range(times):
        information_request = file_request(
            world,
            external_reviewer,
            title="How are outbound transfers detected?",
            question="Which monitors see a large outbound transfer?",
        )
        hidden_request = bob_government_request(world, persona)
        for kind in NotificationKind:
            delivered(external_reviewer, world.report, kind=kind, information_request=information_request)
        read = delivered(external_reviewer, world.report)
        Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
        delivered(external_reviewer, world.report, information_request=hidden_request)
        delivered(stress_tester, world.report)


_count = query_count


@pytest.mark.parametrize(
    "url,htmx,queries",
    [(LIST, False, 6), (LIST, True, 6), (BELL, True, 4), (reverse("home"), False, 5)],
    ids=["list", "list-htmx", "bell", "home-with-bell"],
)
def test_the_query_count_does_not_grow_with_the_notifications(
    client, world, external_reviewer, stress_tester, request, url, htmx, queries
):
    client.force_login(external_reviewer)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 1)
    small = _count(client, url, htmx=htmx)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 2)
    large = _count(client, url, htmx=htmx)
    assert small == large, f"{url}: {small} queries, then {large} with three times the notifications"
    assert small == queries, f"{url} makes {small} queries"


def test_marking_read_does_not_grow_with_the_notifications(client, world, external_reviewer, stress_tester, request):
    client.force_login(external_reviewer)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 1)
    small = _count(client, reverse("notification_mark_all_read"), method="post", htmx=True)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 2)
    large = _count(client, reverse("notification_mark_all_read"), method="post", htmx=True)
    assert small == large == 8


def test_the_bell_is_one_query_on_every_page(client, world, external_reviewer):
    """The bell adds one count to a page, and nothing for anonymous people."""
    client.force_login(external_reviewer)
    with counted() as queries:
        client.get(reverse("home"))
    bell_queries = [query for query in queries if "reviewapp_notification" in query["sql"]]
    assert len(bell_queries) == 1
    assert "COUNT(" in bell_queries[0]["sql"].upper()
