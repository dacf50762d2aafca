"""What the external reviewer must never get from comments: internal comments and the
replies under them, comments on the out-of-scope pathway, its conclusion, the internal
claim and internal evidence — not through a page, a fragment, a refused form, nor a count.
And no comment page's query count grows with threads and replies."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways.models import Conclusion
from pathways.selectors import scoped
from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from reviewapp.selectors.comments import comments_on, comments_visible_to, thread_scope
from reviewapp.services.comments import comment_post, comment_reply, comment_resolve
from tests.conftest import ALL_CANARIES
from tests.helpers import query_count
from tests.reviewapp.test_canaries import _every_reader_url

CANARY_INTERNAL_COMMENT = "CANARY-INTERNAL-COMMENT-3e1f"
CANARY_INTERNAL_REPLY = "CANARY-INTERNAL-REPLY-8c02"
CANARY_INTERNAL_ASIDE = "CANARY-INTERNAL-ASIDE-in-shared-thread-61d4"
CANARY_RESOLVED_INTERNAL = "CANARY-RESOLVED-INTERNAL-a90b"
CANARY_GOVERNMENT_COMMENT = "CANARY-GOVERNMENT-COMMENT-5fd7"
CANARY_GOVERNMENT_CONCLUSION_COMMENT = "CANARY-GOVERNMENT-CONCLUSION-COMMENT-0b8e"
CANARY_INTERNAL_CLAIM_COMMENT = "CANARY-INTERNAL-CLAIM-COMMENT-d3c6"
CANARY_INTERNAL_EVIDENCE_COMMENT = "CANARY-INTERNAL-EVIDENCE-COMMENT-77aa"
COMMENT_CANARIES = [
    CANARY_INTERNAL_COMMENT,
    CANARY_INTERNAL_REPLY,
    CANARY_INTERNAL_ASIDE,
    CANARY_RESOLVED_INTERNAL,
    CANARY_GOVERNMENT_COMMENT,
    CANARY_GOVERNMENT_CONCLUSION_COMMENT,
    CANARY_INTERNAL_CLAIM_COMMENT,
    CANARY_INTERNAL_EVIDENCE_COMMENT,
]
SHARED_VISIBLE = "SHARED-COMMENT-VISIBLE-2c2c"


@pytest.fixture
def discussion(world, author, stress_tester, external_reviewer):
    """Threads everywhere: what erin may see, and what she must not."""
    internal = CommentVisibility.INTERNAL
    government_conclusion = Conclusion.objects.get(pathway=world.out_of_scope)
    # On the public claim: erin's shared thread with a shared reply and an internal aside.
    shared = comment_post(author=external_reviewer, subject=world.public_claim, text=f"{SHARED_VISIBLE} question")
    comment_reply(author=author, parent=shared, text="A shared answer.")
    comment_reply(author=stress_tester, parent=shared, text=CANARY_INTERNAL_ASIDE, visibility=internal)
    # An internal thread with a reply, and a resolved internal thread, on the same claim.
    inside = comment_post(
        author=stress_tester, subject=world.public_claim, text=CANARY_INTERNAL_COMMENT, visibility=internal
    )
    comment_reply(author=author, parent=inside, text=CANARY_INTERNAL_REPLY, visibility="shared")
    settled = comment_post(
        author=author, subject=world.public_claim, text=CANARY_RESOLVED_INTERNAL, visibility=internal
    )
    comment_resolve(thread=settled, actor=author)
    # Internal threads on the pathway page too, in both sections.
    comment_post(author=author, subject=world.in_scope, text=CANARY_INTERNAL_COMMENT, visibility=internal)
    comment_post(
        author=author,
        subject=Conclusion.objects.get(pathway=world.in_scope),
        text=CANARY_INTERNAL_COMMENT,
        visibility=internal,
    )
    # Shared threads on what erin cannot see at all.
    comment_post(author=author, subject=world.out_of_scope, text=CANARY_GOVERNMENT_COMMENT)
    comment_post(author=author, subject=government_conclusion, text=CANARY_GOVERNMENT_CONCLUSION_COMMENT)
    comment_post(author=author, subject=world.internal_claim, text=CANARY_INTERNAL_CLAIM_COMMENT)
    comment_post(author=author, subject=world.internal_evidence, text=CANARY_INTERNAL_EVIDENCE_COMMENT)
    return shared


def _comment_urls(world):
    yield reverse("discussion", args=["pilot"])
    for kind in ["", "pathway", "claim", "evidence", "conclusion"]:
        yield reverse("discussion", args=["pilot"]) + f"?subject={kind}"


def _assert_clean(body, where):
    for canary in [*COMMENT_CANARIES, *ALL_CANARIES]:
        assert canary not in body, f"{canary} leaked through {where}"


def test_no_comment_canary_reaches_the_external_reviewer_through_any_page(client, world, discussion, external_reviewer):
    client.force_login(external_reviewer)
    seen_shared = False
    for url in [*_every_reader_url(world), *_comment_urls(world)]:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            body = client.get(url, **headers).content.decode()
            _assert_clean(body, f"{url} {headers}")
            seen_shared |= SHARED_VISIBLE in body
    assert seen_shared, "the external reviewer must see the shared thread"


def test_no_comment_canary_reaches_the_external_reviewer_through_a_fragment_or_refusal(
    client, world, discussion, external_reviewer
):
    """Every action erin may take answers with the panel; none carries what she cannot see."""
    client.force_login(external_reviewer)
    htmx = {"HTTP_HX_REQUEST": "true"}
    claim_url = subjects.url("comment_post", "pilot", world.public_claim)
    responses = {
        "post": client.post(claim_url, {"text": "New point."}, **htmx),
        "refused post": client.post(claim_url, {"text": "@bob", "visibility": "internal"}, **htmx),
        "refused post, plain": client.post(claim_url, {"text": "x", "visibility": "internal"}),
        "mention refused": client.post(claim_url, {"text": "@nobody"}, **htmx),
        "reply": client.post(reverse("comment_reply", args=["pilot", discussion.pk]), {"text": "Thanks."}, **htmx),
        "edit": client.post(
            reverse("comment_edit", args=["pilot", discussion.pk]), {"text": "Edited.", "version": 1}, **htmx
        ),
        "stale edit, plain": client.post(
            reverse("comment_edit", args=["pilot", discussion.pk]), {"text": "Stale.", "version": 1}
        ),
        "resolve": client.post(reverse("comment_resolve", args=["pilot", discussion.pk]), **htmx),
        "reopen": client.post(reverse("comment_reopen", args=["pilot", discussion.pk]), **htmx),
        "reopen again, followed": client.post(reverse("comment_reopen", args=["pilot", discussion.pk]), follow=True),
        "pathway conclusion": client.post(
            subjects.url("comment_post", "pilot", Conclusion.objects.get(pathway=world.in_scope)),
            {"text": "On the conclusion."},
            **htmx,
        ),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        _assert_clean(response.content.decode(), name)
    for comment in Comment.objects.filter(text__startswith="CANARY"):
        for name in ["comment_reply", "comment_edit", "comment_resolve", "comment_reopen"]:
            response = client.post(reverse(name, args=["pilot", comment.pk]), {"text": "x", "version": 1}, **htmx)
            assert response.status_code == 404, (name, comment.text)
            _assert_clean(response.content.decode(), name)


def test_counts_shown_to_the_external_reviewer_leave_out_internal_comments(
    client, world, discussion, external_reviewer
):
    client.force_login(external_reviewer)
    claim_page = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    # Her thread and its one shared reply; not the internal thread, the internal aside,
    # nor the resolved internal thread.
    assert "· 1 open thread</span>" in claim_page
    assert "resolved" not in claim_page.split('id="comment-panel"')[1]
    assert "1 reply<" in claim_page
    pathway_page = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert pathway_page.count("· 0 open threads</span>") == 2
    listing = client.get(reverse("discussion", args=["pilot"])).content.decode()
    assert "1 open thread<" in listing
    assert re.search(r'<td class="num">1</td>', listing)  # one reply she can see


def test_internal_readers_see_every_comment_and_count(client, world, discussion, stress_tester):
    client.force_login(stress_tester)
    claim_page = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    for canary in [CANARY_INTERNAL_COMMENT, CANARY_INTERNAL_REPLY, CANARY_INTERNAL_ASIDE, CANARY_RESOLVED_INTERNAL]:
        assert canary in claim_page
    assert "· 2 open threads · 1 resolved</span>" in claim_page
    assert "2 replies<" in claim_page
    listing = client.get(reverse("discussion", args=["pilot"])).content.decode()
    assert "8 open threads<" in listing


def test_the_scope_function_follows_the_subjects_scope_and_visibility(world, discussion, external_reviewer, outsider):
    visible = set(comments_visible_to(external_reviewer).values_list("text", flat=True))
    assert visible == {f"{SHARED_VISIBLE} question", "A shared answer."}
    assert not comments_visible_to(outsider).exists()
    assert not comments_visible_to(None).exists()


def test_the_thread_scope_is_the_comment_scope_on_threads_for_every_persona(
    world, discussion, author, stress_tester, external_reviewer, leadership, team_member, outsider
):
    """The discussion list reads threads through a scope that makes no join to a parent: it
    gives exactly the top-level comments the comment scope gives, and never a reply."""
    for person in [author, stress_tester, external_reviewer, leadership, team_member, outsider, None]:
        threads = set(scoped(Comment, thread_scope, person).values_list("text", flat=True))
        assert threads == set(comments_visible_to(person).filter(parent=None).values_list("text", flat=True))
    external = set(scoped(Comment, thread_scope, external_reviewer).values_list("text", flat=True))
    assert external == {f"{SHARED_VISIBLE} question"}
    everything = set(scoped(Comment, thread_scope, author).values_list("text", flat=True))
    assert {CANARY_INTERNAL_COMMENT, CANARY_GOVERNMENT_COMMENT} <= everything
    assert "A shared answer." not in everything


def test_a_shared_reply_under_an_internal_comment_stays_hidden(world, stress_tester, external_reviewer):
    """Defence in depth: even a shared row under an internal comment (which the services
    never write) is not shown to an external reader."""
    inside = comment_post(author=stress_tester, subject=world.public_claim, text="x", visibility="internal")
    Comment.objects.create(
        report=world.report,
        claim=world.public_claim,
        parent=inside,
        author=stress_tester,
        text="under",
        visibility="shared",
    )
    assert not comments_visible_to(external_reviewer).exists()


# ------------------------------------------------------------------ query counts


def grow(world, people, times):
    """Threads with replies (shared and internal), open and resolved, mentioning people,
    on every subject of the panel pages. Written directly: only the reads are measured."""
    on_subjects = [
        world.in_scope,
        Conclusion.objects.get(pathway=world.in_scope),
        world.public_claim,
        world.public_evidence,
        Conclusion.objects.get(report=world.report, pathway=None),
    ]
    for _ in range(times):
        for subject in on_subjects:
            on = {subjects.kind_of(subject): subject}
            for visibility, resolved in [("shared", False), ("internal", False), ("shared", True)]:
                thread = Comment.objects.create(
                    report=world.report,
                    author=people[0],
                    text="A thread @alice",
                    visibility=visibility,
                    resolved_at=timezone.now() if resolved else None,
                    resolved_by=people[1] if resolved else None,
                    **on,
                )
                thread.mentions.set(people[:1])
                Comment.objects.bulk_create(
                    Comment(report=world.report, parent=thread, author=person, text="A reply.", visibility=v, **on)
                    for person in people
                    for v in {visibility, "internal"}
                )


PAGES = [
    ("pathway_detail", ["pilot", "exfiltration"], False),
    ("claim_detail", ["pilot", "egress-monitoring"], False),
    ("evidence_detail", ["pilot", "egress-review"], False),
    ("discussion", ["pilot"], False),
    ("discussion", ["pilot"], True),
]


def _count(client, method, url, data=None, htmx=False):
    return query_count(client, url, method=method, data=data, htmx=htmx, statuses=(200,))


@pytest.mark.parametrize("reader", ["author", "external_reviewer"])
@pytest.mark.parametrize("name,args,htmx", PAGES, ids=[f"{n}{'-htmx' if h else ''}" for n, _, h in PAGES])
def test_the_query_count_of_comment_pages_does_not_grow(client, world, request, reader, name, args, htmx):
    people = [request.getfixturevalue(n) for n in ["author", "stress_tester", "leadership"]]
    client.force_login(request.getfixturevalue(reader))
    url = reverse(name, args=args)
    grow(world, people, 1)
    small = _count(client, "get", url, htmx=htmx)
    grow(world, people, 3)
    large = _count(client, "get", url, htmx=htmx)
    assert small == large, f"{name}: {small} queries with a few threads, {large} with more"


@pytest.mark.parametrize("reader", ["author", "external_reviewer"])
def test_the_query_count_of_the_panel_fragment_does_not_grow(client, world, request, reader):
    people = [request.getfixturevalue(n) for n in ["author", "stress_tester", "leadership"]]
    person = request.getfixturevalue(reader)
    client.force_login(person)
    subject = world.in_scope

    post_url = subjects.url("comment_post", "pilot", subject)

    def actions():
        thread = comment_post(author=person, subject=subject, text="Mine.")
        return (
            _count(client, "post", post_url, {"text": "Again, with @alice."}, htmx=True),
            _count(client, "post", reverse("comment_resolve", args=["pilot", thread.pk]), htmx=True),
            _count(client, "post", reverse("comment_reply", args=["pilot", thread.pk]), {"text": "No."}, htmx=True),
        )

    grow(world, people, 1)
    small = actions()
    grow(world, people, 3)
    large = actions()
    assert small == large, f"post, resolve, reply: {small} queries with a few threads, {large} with more"


@pytest.mark.parametrize("threads", [None, 10], ids=["every thread", "the newest"])
def test_comments_on_a_subject_the_reader_cannot_see_come_back_empty(world, discussion, external_reviewer, threads):
    """The panel's query checks each subject against the reader's scope itself, so even a
    caller that handed it the out-of-scope pathway, its conclusion or the internal claim
    gets nothing of their comments, counts included."""
    hidden = [
        world.out_of_scope,
        Conclusion.objects.get(pathway=world.out_of_scope),
        world.internal_claim,
        world.internal_evidence,
    ]
    assert comments_on(external_reviewer, subjects=hidden, threads_per_subject=threads) == []
    seen = comments_on(external_reviewer, subjects=[world.public_claim, *hidden], threads_per_subject=threads)
    assert [comment.text for comment in seen] == [f"{SHARED_VISIBLE} question", "A shared answer."]
    assert seen[0].threads_like_it == 1
