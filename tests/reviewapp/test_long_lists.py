"""Lists that grow with a review are cut into pages, and a discussion panel shows the newest
threads of each kind with a way to all of them, so no page grows with the data."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from reviewapp.models import Comment
from reviewapp.panels.comments import THREADS_SHOWN
from reviewapp.selectors.requests import REQUESTS_PER_PAGE
from reviewapp.services.comments import comment_post, comment_reply, comment_resolve
from reviewapp.views.reading import CLAIMS_PER_PAGE, EVIDENCE_PER_PAGE
from tests.factories import ClaimFactory, EvidenceFactory, ReportFactory
from tests.reviewapp.matrix.requests import file_request


def test_the_claims_index_is_paged_and_keeps_its_filters(client, world, author):
    for n in range(CLAIMS_PER_PAGE + 5):
        ClaimFactory(report=world.report, slug=f"extra-{n:03d}", owner_team=world.team, pathways=[world.in_scope])
    client.force_login(author)
    url = reverse("claim_index", args=["pilot"])
    first = client.get(url, {"pathway": "exfiltration"}).content.decode()
    total = CLAIMS_PER_PAGE + 5 + 3  # the world's public, reviewer and internal claims on exfiltration
    assert f"{total} claims" in first and "Page 1 of 2" in first
    assert "?pathway=exfiltration&amp;page=2" in first
    second = client.get(url, {"pathway": "exfiltration", "page": 2}).content.decode()
    assert second.count('<th scope="row">') == total - CLAIMS_PER_PAGE
    assert client.get(url, {"page": "99"}).status_code == 200  # past the end: the last page


def test_the_evidence_list_is_paged(client, world, author):
    for n in range(EVIDENCE_PER_PAGE):
        EvidenceFactory(report=world.report, slug=f"more-{n:03d}", owner_team=world.team)
    client.force_login(author)
    body = client.get(reverse("evidence_index", args=["pilot"])).content.decode()
    assert f"{EVIDENCE_PER_PAGE + 3} evidence items" in body and "Page 1 of 2" in body
    assert body.count('<th scope="row">') == EVIDENCE_PER_PAGE


def test_the_request_list_and_the_inbox_are_paged_earliest_due_first(client, world, external_reviewer, team_member):
    today = timezone.localdate()
    for n in range(REQUESTS_PER_PAGE + 2):
        file_request(world, external_reviewer, title=f"Request {n:03d}", due_date=today + datetime.timedelta(days=n))
    client.force_login(team_member)
    listed = client.get(reverse("request_list", args=["pilot"])).content.decode()
    assert f"{REQUESTS_PER_PAGE + 2} requests" in listed and "Page 1 of 2" in listed
    inbox = client.get(reverse("team_inbox")).content.decode()
    assert f"{REQUESTS_PER_PAGE + 2} in all" in inbox and "Request 000" in inbox and "Request 051" not in inbox
    later = client.get(reverse("team_inbox"), {"page": 2}).content.decode()
    assert "Request 051" in later and "Request 000" not in later
    assert 'Due within 2 days <span class="meta">(3)</span>' in later  # the counts are of every page


@pytest.fixture
def busy_claim(world, author, external_reviewer):
    """More open and resolved threads on the public claim than a panel shows."""
    threads = []
    for n in range(THREADS_SHOWN + 3):
        threads.append(comment_post(author=author, subject=world.public_claim, text=f"Thread {n:02d}.", visibility=""))
        Comment.objects.filter(pk=threads[-1].pk).update(created_at=timezone.now() - datetime.timedelta(hours=50 - n))
    comment_reply(author=external_reviewer, parent=threads[0], text="A reply to the oldest.")
    for thread in threads[:2]:
        comment_resolve(thread=thread, actor=author)
    return threads


def test_a_panel_shows_the_newest_threads_and_links_to_all(client, busy_claim):
    client.force_login(busy_claim[0].author)
    url = reverse("claim_detail", args=["pilot", "egress-monitoring"])
    body = client.get(url).content.decode()
    open_count = THREADS_SHOWN + 1
    assert f"{open_count} open threads" in body and "2 resolved" in body
    assert f"Thread {THREADS_SHOWN + 2:02d}." in body  # the newest
    assert "Thread 02." not in body  # the oldest open one is left out
    assert "Show all" in body and "?threads=all" in body
    everything = client.get(url, {"threads": "all"}).content.decode()
    for n in range(THREADS_SHOWN + 3):
        assert f"Thread {n:02d}." in everything
    assert "A reply to the oldest." in everything and "Show all" not in everything


def test_an_external_reviewers_panel_counts_and_shows_only_the_threads_they_may_read(
    client, world, busy_claim, author, external_reviewer
):
    """The newest threads are chosen among those the reader sees: newer internal threads
    neither take a place among the newest nor count, and their replies never show."""
    for n in range(THREADS_SHOWN + 2):
        internal = comment_post(
            author=author, subject=world.public_claim, text=f"Internal {n:02d}.", visibility="internal"
        )
        comment_reply(author=author, parent=internal, text=f"Internal reply {n:02d}.")
    client.force_login(external_reviewer)
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert f"{THREADS_SHOWN + 1} open threads" in body and "2 resolved" in body
    assert "Internal" not in body
    assert f"Thread {THREADS_SHOWN + 2:02d}." in body and "Thread 03." in body and "Thread 02." not in body
    assert "A reply to the oldest." in body  # the oldest thread is resolved, and the newest two resolved are shown
    client.force_login(author)
    inside = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert f"{THREADS_SHOWN + 1 + THREADS_SHOWN + 2} open threads" in inside
    assert f"Internal {THREADS_SHOWN + 1:02d}." in inside and f"Internal reply {THREADS_SHOWN + 1:02d}." in inside
    assert "Thread 12." not in inside  # the newest internal threads push the shared ones out


def test_a_reply_in_an_older_thread_goes_back_to_the_panel_with_every_thread(client, world, busy_claim, author):
    oldest_open = busy_claim[2]
    client.force_login(author)
    response = client.post(reverse("comment_reply", args=["pilot", oldest_open.pk]), {"text": "Late reply."})
    assert response.status_code == 302 and "?threads=all#comment-" in response["Location"]
    assert "Late reply." in client.get(response["Location"]).content.decode()


def _checked_now(write):
    """Run `write` with the deferred constraints checked at once, as a commit would check them."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        write()


def test_the_database_refuses_a_comment_or_request_on_another_reports_subject(world, author, external_reviewer):
    """The scopes read a row's own report for its subject's; the database keeps them equal."""
    other = ReportFactory(slug="other")
    information_request = file_request(world, external_reviewer)
    conclusion = world.in_scope.conclusion
    for write in [
        lambda: Comment.objects.create(report=other, claim=world.public_claim, author=author, text="Misfiled."),
        lambda: type(information_request).objects.filter(pk=information_request.pk).update(report=other),
        lambda: type(conclusion).objects.filter(pk=conclusion.pk).update(report=other),
    ]:
        with pytest.raises(IntegrityError):
            _checked_now(write)
