"""Notifications in the app: the bell, the list, marking read, opening, and the settings.

A person sees only their own delivered notifications, and only while they can still see
what each is about; another person's notification answers 404 and nothing changes.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pathways.services import access_grant, access_revoke
from reviewapp.enums import INTERNAL_ONLY_KINDS, Delivery, NotificationKind, NotificationState
from reviewapp.forms.notifications import DELIVERY_CHOICES, KIND_GROUPS
from reviewapp.models import Notification, NotificationPreference
from reviewapp.selectors.notifications import notifications_visible_to, unread_notification_count
from reviewapp.services.notifications import delivery_preferences
from reviewapp.services.requests import request_answer
from tests.factories import ReportFactory, UserFactory
from tests.helpers import HTMX, counted, query_count
from tests.reviewapp.matrix.notifications import delivered
from tests.reviewapp.matrix.requests import bob_government_request, file_request

LIST = reverse("notification_list")
BELL = reverse("notification_bell")
SETTINGS = reverse("notification_settings")


def _html(response) -> str:
    return response.content.decode()


def _choices(**overrides) -> dict:
    return {f"delivery-{kind}": overrides.get(kind, Delivery.IMMEDIATELY) for kind in NotificationKind.values}


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


# ----------------------------------------------------------------- settings


def test_every_kind_and_every_delivery_has_a_place_on_the_settings_page():
    assert sorted(kind for _, kinds in KIND_GROUPS for kind in kinds) == sorted(NotificationKind)
    assert sorted(value for value, _ in DELIVERY_CHOICES) == sorted(Delivery.values)


def test_the_settings_page_lists_each_kind_with_its_choice_and_the_email_address(client, world, team_member):
    client.force_login(team_member)

    html = _html(client.get(SETTINGS))

    for kind in NotificationKind:
        assert f'<label for="id_delivery-{kind.value}">{escape(kind.label)}</label>' in html
    assert html.count("<select") == len(NotificationKind)
    assert f"Emails go to <strong>{team_member.email}</strong>" in html
    # The default for verdicts is the digest, and the form starts there.
    start = html.index('name="delivery-verdict_recorded"')
    assert '<option value="digest" selected>' in html[start : html.index("</select>", start)]


def test_the_settings_page_says_when_there_is_no_email_address(client, world):
    person = UserFactory(username="noemail", email="")
    client.force_login(person)

    html = _html(client.get(SETTINGS))

    assert "Your account has no email address, so only the notices in the app reach you" in html


def test_saving_the_settings_stores_each_choice_with_a_message(client, world, team_member):
    client.force_login(team_member)

    response = client.post(SETTINGS, _choices(request_filed=Delivery.DIGEST, mention=Delivery.OFF), follow=True)

    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your notification choices are saved." in _html(response)
    chosen = delivery_preferences(team_member)
    assert chosen[NotificationKind.REQUEST_FILED] == Delivery.DIGEST
    assert chosen[NotificationKind.MENTION] == Delivery.OFF
    assert chosen[NotificationKind.VERDICT_RECORDED] == Delivery.IMMEDIATELY
    assert '<option value="off" selected>' in _html(response)


@pytest.mark.parametrize(
    "forged,expected",
    [
        ({"delivery-mention": "carrier-pigeon"}, "That is not one of the choices"),
        ({"delivery-mention": ""}, "Choose how you hear of this."),
        (
            {"delivery-telepathy": "off"},
            "Nothing was saved: “telepathy” is not a kind of notification you can receive.",
        ),
    ],
    ids=["unknown-delivery", "missing-delivery", "unknown-kind"],
)
def test_bad_settings_are_refused_with_a_clear_error_and_change_nothing(client, world, team_member, forged, expected):
    client.force_login(team_member)
    client.post(SETTINGS, _choices(request_filed=Delivery.DIGEST))
    before = list(NotificationPreference.objects.filter(user=team_member).values_list("kind", "delivery"))

    response = client.post(SETTINGS, {**_choices(request_filed=Delivery.OFF), **forged})

    assert response.status_code == 200
    html = _html(response)
    assert expected in html
    assert "Nothing was saved" in html
    assert list(NotificationPreference.objects.filter(user=team_member).values_list("kind", "delivery")) == before
    # What was chosen is kept in the form.
    start = html.index('name="delivery-request_filed"')
    assert '<option value="off" selected>' in html[start : html.index("</select>", start)]


def test_an_external_reviewer_is_offered_only_the_kinds_that_can_reach_them(client, world, external_reviewer):
    client.force_login(external_reviewer)
    html = _html(client.get(SETTINGS))
    offered = {kind for kind in NotificationKind if f'name="delivery-{kind.value}"' in html}
    assert offered == set(NotificationKind) - INTERNAL_ONLY_KINDS
    assert "A request filed to your team" not in html and "A verdict recorded on a report you author" not in html
    assert html.count("<select") == len(NotificationKind) - len(INTERNAL_ONLY_KINDS)
    chosen = {kind.value: Delivery.OFF for kind in offered}
    response = client.post(SETTINGS, {f"delivery-{kind}": delivery for kind, delivery in chosen.items()}, follow=True)
    assert "Your notification choices are saved." in _html(response)
    assert delivery_preferences(external_reviewer)[NotificationKind.MENTION] == Delivery.OFF


def test_an_external_reviewer_cannot_set_a_kind_that_cannot_reach_them(client, world, external_reviewer):
    client.force_login(external_reviewer)
    offered = [kind for kind in NotificationKind if kind not in INTERNAL_ONLY_KINDS]
    data = {f"delivery-{kind.value}": Delivery.DIGEST for kind in offered}
    response = client.post(SETTINGS, {**data, "delivery-request_filed": Delivery.OFF})
    assert "“request_filed” is not a kind of notification you can receive" in _html(response)
    assert not NotificationPreference.objects.filter(user=external_reviewer).exists()


def test_an_unknown_delivery_marks_its_field(client, world, team_member):
    client.force_login(team_member)

    html = _html(client.post(SETTINGS, _choices(mention="carrier-pigeon")))

    assert 'aria-invalid="true"' in html
    assert 'id="id_delivery-mention-error"' in html


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
    "url,htmx",
    [(LIST, False), (LIST, True), (BELL, True), (reverse("home"), False)],
    ids=["list", "list-htmx", "bell", "home-with-bell"],
)
def test_the_query_count_does_not_grow_with_the_notifications(
    client, world, external_reviewer, stress_tester, request, url, htmx
):
    client.force_login(external_reviewer)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 1)
    small = _count(client, url, htmx=htmx)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 2)
    large = _count(client, url, htmx=htmx)
    assert small == large, f"{url}: {small} queries, then {large} with three times the notifications"
    assert small <= 12, f"{url} makes {small} queries"


def test_marking_read_does_not_grow_with_the_notifications(client, world, external_reviewer, stress_tester, request):
    client.force_login(external_reviewer)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 1)
    small = _count(client, reverse("notification_mark_all_read"), method="post", htmx=True)
    _grow(world, external_reviewer, stress_tester, request.getfixturevalue, 2)
    large = _count(client, reverse("notification_mark_all_read"), method="post", htmx=True)
    assert small == large


def test_the_bell_is_one_query_on_every_page(client, world, external_reviewer):
    """The bell adds one count to a page, and nothing for anonymous people."""
    client.force_login(external_reviewer)
    with counted() as queries:
        client.get(reverse("home"))
    bell_queries = [query for query in queries if "reviewapp_notification" in query["sql"]]
    assert len(bell_queries) == 1
    assert "COUNT(" in bell_queries[0]["sql"].upper()
