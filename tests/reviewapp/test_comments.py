"""Comments: threads, visibility, replies, forged subjects, and the panel in place (edits,
mentions, resolving and the discussion page are in test_comments_threads)."""

import pytest

from pathways.models import AuditEntry, Conclusion
from pathways.services import access_grant
from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from reviewapp.services.comments import comment_reply, comment_resolve
from tests.factories import ClaimFactory, ReportFactory
from tests.helpers import HTMX
from tests.reviewapp.commenting import action_url, page_of, post_url, start_thread

# ---------------------------------------------------------------- posting


def test_a_reviewer_starts_a_shared_thread_on_a_claim_and_it_is_audited(client, world, stress_tester):
    client.force_login(stress_tester)
    response = client.post(post_url(world.public_claim), {"text": "Which drills?", "visibility": "shared"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/pilot/claims/egress-monitoring/#comment-{comment.pk}"
    assert (comment.claim, comment.author, comment.visibility, comment.parent) == (
        world.public_claim,
        stress_tester,
        CommentVisibility.SHARED,
        None,
    )
    entry = AuditEntry.objects.get(action="reviewapp.comment.posted")
    assert (entry.actor, entry.target_id, entry.data["subject_type"]) == (stress_tester, comment.pk, "claim")
    assert "Which drills?" in page_of(client, "claim_detail", "egress-monitoring")


def test_internal_people_choose_visibility_and_shared_is_the_default(client, world, author):
    client.force_login(author)
    client.post(post_url(world.public_claim), {"text": "No choice made."})
    client.post(post_url(world.public_claim), {"text": "Kept inside.", "visibility": "internal"})
    assert dict(Comment.objects.values_list("text", "visibility")) == {
        "No choice made.": CommentVisibility.SHARED,
        "Kept inside.": CommentVisibility.INTERNAL,
    }
    body = page_of(client, "claim_detail", "egress-monitoring")
    assert 'name="visibility" value="shared" checked' in body
    assert 'value="internal"' in body


def test_the_external_reviewer_is_shown_no_visibility_choice(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = page_of(client, "claim_detail", "egress-monitoring")
    assert 'name="visibility"' not in body
    assert "Shared: the report's authors and reviewers can read it." in body


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_forged_internal_visibility_from_an_external_reviewer_is_refused_and_nothing_saved(
    client, world, external_reviewer, htmx
):
    client.force_login(external_reviewer)
    response = client.post(
        post_url(world.public_claim), {"text": "Sneaky words", "visibility": "internal"}, **(HTMX if htmx else {})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "comments by external reviewers are always shared" in body
    assert "Sneaky words" in body  # the typed text is kept
    assert not Comment.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="reviewapp.comment").exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_an_empty_comment_is_refused_next_to_the_field(client, world, author, htmx):
    client.force_login(author)
    response = client.post(post_url(world.in_scope), {"text": "   "}, **(HTMX if htmx else {}))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="field-error"' in body and "Write something before posting." in body
    assert 'aria-invalid="true"' in body
    assert not Comment.objects.exists()


def test_an_htmx_post_re_renders_only_the_panel(client, world, external_reviewer):
    client.force_login(external_reviewer)
    response = client.post(post_url(world.public_claim), {"text": "In **place**."}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="comment-panel"')
    assert "<html" not in body
    assert "<strong>place</strong>" in body
    assert "Comment posted." in body


def test_a_comment_on_a_pathway_conclusion_is_shown_in_its_own_section_on_the_pathway_page(
    client, world, external_reviewer
):
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    client.force_login(external_reviewer)
    response = client.post(post_url(conclusion), {"text": "Is low really low?"})
    comment = Comment.objects.get()
    assert comment.conclusion == conclusion
    assert response["Location"] == f"/reports/pilot/pathways/exfiltration/#comment-{comment.pk}"
    body = page_of(client, "pathway_detail", "exfiltration")
    assert "On this pathway" in body and "On the conclusion" in body
    conclusion_section = body.split(f'id="comments-conclusion-{conclusion.pk}"')[1]
    assert "Is low really low?" in conclusion_section
    assert f'action="{post_url(conclusion)}"' in body
    assert f'action="{post_url(world.in_scope)}"' in body


def test_the_overall_conclusion_is_discussed_on_the_discussion_page(client, world, external_reviewer):
    overall = Conclusion.objects.get(report=world.report, pathway=None)
    client.force_login(external_reviewer)
    response = client.post(post_url(overall), {"text": "Overall, why very low?"})
    comment = Comment.objects.get()
    assert response["Location"] == f"/reports/pilot/discussion/#comment-{comment.pk}"
    body = page_of(client, "discussion")
    assert "On the overall conclusion" in body
    assert "Overall, why very low?" in body


def test_comment_text_is_safe_markdown_redacted_at_the_reader_level(client, world, author, external_reviewer):
    start_thread(
        author, world.public_claim, text="**Bold** <script>alert(1)</script> [[internal]]HIDDEN-BIT[[/internal]]"
    )
    client.force_login(external_reviewer)
    body = page_of(client, "claim_detail", "egress-monitoring")
    assert "<strong>Bold</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "HIDDEN-BIT" not in body
    assert 'class="redacted"' in body
    client.force_login(author)
    assert "HIDDEN-BIT" in page_of(client, "claim_detail", "egress-monitoring")


# ------------------------------------------------------------ forged subjects


def _forged_subjects(world):
    other_claim = ClaimFactory(report=ReportFactory(slug="another"), slug="elsewhere")
    return {  # the path under /reports/pilot/ of the subject a form would post to
        "another report's claim": f"claims/{other_claim.slug}",
        "the out-of-scope pathway": f"pathways/{world.out_of_scope.slug}",
        "the internal claim": f"claims/{world.internal_claim.slug}",
        "the out-of-scope conclusion": f"pathways/{world.out_of_scope.slug}/conclusion",
        "internal evidence": f"evidence/{world.internal_evidence.slug}",
        "a subject that does not exist": "claims/no-such-claim",
        "a kind that does not exist": "reports/pilot",
    }


@pytest.mark.parametrize(
    "forged",
    [
        "another report's claim",
        "the out-of-scope pathway",
        "the internal claim",
        "the out-of-scope conclusion",
        "internal evidence",
        "a subject that does not exist",
        "a kind that does not exist",
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_forged_subject_is_refused_and_nothing_is_saved(client, world, external_reviewer, forged, htmx):
    client.force_login(external_reviewer)
    url = f"/reports/pilot/{_forged_subjects(world)[forged]}/comments/new/"
    response = client.post(url, {"text": "Forged."}, **(HTMX if htmx else {}))
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_another_reports_claim_is_refused_even_to_its_own_author(client, world, author):
    other_claim = ClaimFactory(report=ReportFactory(slug="another"), slug="elsewhere")
    access_grant(report=other_claim.report, user=author, role="author")
    client.force_login(author)
    response = client.post(subjects.url("comment_post", "pilot", other_claim), {"text": "Wrong report."})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_a_comment_of_another_report_is_not_found_under_this_one(client, world, author):
    other_claim = ClaimFactory(report=ReportFactory(slug="another"), slug="elsewhere")
    access_grant(report=other_claim.report, user=author, role="author")
    elsewhere = start_thread(author, other_claim, text="Elsewhere.")
    client.force_login(author)
    for name, data in [
        ("comment_reply", {"text": "Hi."}),
        ("comment_edit", {"text": "Changed.", "version": 1}),
        ("comment_resolve", {}),
    ]:
        assert client.post(action_url(name, elsewhere), data).status_code == 404, name
    elsewhere.refresh_from_db()
    assert (elsewhere.text, elsewhere.resolved_at, Comment.objects.count()) == ("Elsewhere.", None, 1)


# --------------------------------------------------------------------- replies


def test_a_reply_to_a_reply_joins_the_thread_of_the_first_comment(client, world, author, external_reviewer):
    thread = start_thread(external_reviewer, world.public_claim, text="First.")
    client.force_login(author)
    client.post(action_url("comment_reply", thread), {"text": "Second."})
    reply = Comment.objects.get(text="Second.")
    client.force_login(external_reviewer)
    response = client.post(action_url("comment_reply", reply), {"text": "Third."})
    third = Comment.objects.get(text="Third.")
    assert (reply.parent, third.parent) == (thread, thread)
    assert third.claim == world.public_claim and third.report == world.report
    assert response["Location"] == f"/reports/pilot/claims/egress-monitoring/?threads=all#comment-{third.pk}"
    body = page_of(client, "claim_detail", "egress-monitoring")
    assert "2 replies" in body
    assert AuditEntry.objects.filter(action="reviewapp.comment.posted").count() == 3


def test_a_reply_to_an_internal_comment_is_internal_whatever_was_asked(client, world, author, stress_tester):
    thread = start_thread(stress_tester, world.public_claim, visibility=CommentVisibility.INTERNAL)
    client.force_login(author)
    client.post(action_url("comment_reply", thread), {"text": "Asked shared.", "visibility": "shared"})
    assert Comment.objects.get(text="Asked shared.").visibility == CommentVisibility.INTERNAL


def test_a_reply_to_an_internal_reply_in_a_shared_thread_is_internal(client, world, author, stress_tester):
    thread = start_thread(stress_tester, world.public_claim)
    internal_reply = comment_reply(author=author, parent=thread, text="Aside.", visibility=CommentVisibility.INTERNAL)
    client.force_login(stress_tester)
    client.post(action_url("comment_reply", internal_reply), {"text": "On the aside.", "visibility": "shared"})
    answer = Comment.objects.get(text="On the aside.")
    assert (answer.parent, answer.visibility) == (thread, CommentVisibility.INTERNAL)


def test_internal_people_may_reply_internally_in_a_shared_thread(client, world, author, external_reviewer):
    thread = start_thread(external_reviewer, world.public_claim)
    client.force_login(author)
    client.post(action_url("comment_reply", thread), {"text": "Between us.", "visibility": "internal"})
    assert Comment.objects.get(text="Between us.").visibility == CommentVisibility.INTERNAL


def test_an_external_reviewer_cannot_reply_to_an_internal_comment(client, world, stress_tester, external_reviewer):
    thread = start_thread(stress_tester, world.public_claim, visibility=CommentVisibility.INTERNAL)
    client.force_login(external_reviewer)
    response = client.post(action_url("comment_reply", thread), {"text": "Hello?"})
    assert response.status_code == 404
    assert Comment.objects.count() == 1


def test_an_external_reviewer_forging_an_internal_reply_is_refused(client, world, stress_tester, external_reviewer):
    thread = start_thread(stress_tester, world.public_claim)
    client.force_login(external_reviewer)
    response = client.post(action_url("comment_reply", thread), {"text": "Psst.", "visibility": "internal"}, **HTMX)
    assert "always shared" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_reply_to_a_resolved_thread_is_refused_with_the_text_kept(client, world, author, stress_tester):
    thread = start_thread(stress_tester, world.public_claim)
    comment_resolve(thread=thread, actor=stress_tester)
    client.force_login(author)
    response = client.post(action_url("comment_reply", thread), {"text": "Late answer."})
    body = response.content.decode()
    assert "This thread is resolved" in body and "Late answer." in body
    assert Comment.objects.count() == 1
    htmx = client.post(action_url("comment_reply", thread), {"text": "Late answer."}, **HTMX).content.decode()
    assert "This thread is resolved" in htmx
    assert '<details class="resolved-threads" open>' in htmx
    assert ">Late answer.</textarea>" in htmx
