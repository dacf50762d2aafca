"""Comments: threads, replies, visibility, edits with versions, mentions, resolving,
forged subjects, the panel in place and the discussion page."""

import pytest
from django.urls import reverse

from pathways.models import AuditEntry, Conclusion
from pathways.services import access_grant
from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from reviewapp.services.comments import comment_post, comment_reply, comment_resolve, mentioned_usernames
from tests.factories import ClaimFactory, ReportFactory, UserFactory
from tests.helpers import HTMX


def post_url(subject):
    return subjects.url("comment_post", "pilot", subject)


def action_url(name, comment):
    return reverse(name, args=["pilot", comment.pk])


def start_thread(author, subject, text="A thread.", visibility=CommentVisibility.SHARED):
    return comment_post(author=author, subject=subject, text=text, visibility=visibility)


def page_of(client, name, *args):
    return client.get(reverse(name, args=["pilot", *args])).content.decode()


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


# ----------------------------------------------------------------------- edits


def test_the_author_edits_their_comment_which_then_shows_edited(client, world, external_reviewer):
    comment = start_thread(external_reviewer, world.public_claim, text="Frist.")
    client.force_login(external_reviewer)
    response = client.post(action_url("comment_edit", comment), {"text": "First.", "version": 1})
    comment.refresh_from_db()
    assert response.status_code == 302
    assert (comment.text, comment.version) == ("First.", 2)
    assert comment.edited_at is not None
    entry = AuditEntry.objects.get(action="reviewapp.comment.edited")
    assert entry.data["changes"] == {"text": {"before": "Frist.", "after": "First."}}
    body = page_of(client, "claim_detail", "egress-monitoring")
    assert ">edited</span>" in body


def test_only_the_author_is_offered_the_edit_form(client, world, author, stress_tester):
    comment = start_thread(stress_tester, world.public_claim)
    client.force_login(author)
    assert action_url("comment_edit", comment) not in page_of(client, "claim_detail", "egress-monitoring")
    client.force_login(stress_tester)
    assert action_url("comment_edit", comment) in page_of(client, "claim_detail", "egress-monitoring")


def test_editing_someone_elses_visible_comment_is_forbidden(client, world, author, stress_tester):
    comment = start_thread(stress_tester, world.public_claim, text="Mine.")
    client.force_login(author)
    response = client.post(action_url("comment_edit", comment), {"text": "Yours now.", "version": 1})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert (comment.text, comment.version) == ("Mine.", 1)


def test_editing_a_comment_one_cannot_see_answers_404(client, world, stress_tester, external_reviewer):
    comment = start_thread(stress_tester, world.public_claim, text="Inside.", visibility=CommentVisibility.INTERNAL)
    client.force_login(external_reviewer)
    response = client.post(action_url("comment_edit", comment), {"text": "Outside.", "version": 1})
    assert response.status_code == 404
    comment.refresh_from_db()
    assert comment.text == "Inside."


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_stale_edit_is_refused_and_the_typed_text_kept(client, world, external_reviewer, htmx):
    comment = start_thread(external_reviewer, world.public_claim, text="Version one.")
    client.force_login(external_reviewer)
    client.post(action_url("comment_edit", comment), {"text": "Version two, from another tab.", "version": 1})
    response = client.post(
        action_url("comment_edit", comment), {"text": "My late words.", "version": 1}, **(HTMX if htmx else {})
    )
    body = response.content.decode()
    comment.refresh_from_db()
    assert (comment.text, comment.version) == ("Version two, from another tab.", 2)
    assert "this comment was changed after you opened it" in body
    assert "My late words." in body  # what was typed
    assert "Version two, from another tab." in body  # and what is there now
    assert 'name="version" value="2"' in body  # saving again from here is a deliberate overwrite
    assert AuditEntry.objects.filter(action="reviewapp.comment.edited").count() == 1


def test_saving_again_after_a_conflict_overwrites_knowingly(client, world, external_reviewer):
    comment = start_thread(external_reviewer, world.public_claim, text="One.")
    client.force_login(external_reviewer)
    client.post(action_url("comment_edit", comment), {"text": "Two.", "version": 1})
    client.post(action_url("comment_edit", comment), {"text": "Three.", "version": 2})
    comment.refresh_from_db()
    assert (comment.text, comment.version) == ("Three.", 3)


def test_an_edit_without_a_version_is_refused(client, world, external_reviewer):
    comment = start_thread(external_reviewer, world.public_claim, text="One.")
    client.force_login(external_reviewer)
    response = client.post(action_url("comment_edit", comment), {"text": "Two."})
    assert "lost track of the version" in response.content.decode()
    comment.refresh_from_db()
    assert comment.text == "One."


# -------------------------------------------------------------------- mentions


def test_mentions_of_people_who_can_read_the_comment_are_stored(
    client, world, author, stress_tester, external_reviewer
):
    client.force_login(external_reviewer)
    client.post(post_url(world.public_claim), {"text": "@alice and @bob, see erin@example.org."})
    comment = Comment.objects.get()
    assert set(comment.mentions.values_list("username", flat=True)) == {"alice", "bob"}
    assert AuditEntry.objects.get().data["mentions"] == ["alice", "bob"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_mentioning_someone_who_cannot_see_the_subject_is_refused_naming_them(
    client, world, author, external_reviewer, outsider, htmx
):
    client.force_login(author)
    response = client.post(
        post_url(world.out_of_scope), {"text": "Thoughts, @erin and @charlie? cc @alice"}, **(HTMX if htmx else {})
    )
    body = response.content.decode()
    assert "@erin, @charlie cannot see this pathway" in body
    assert "@alice" not in body.split("cannot see")[0].split("Nothing was saved")[-1]
    assert "Thoughts, @erin and @charlie? cc @alice" in body
    assert not Comment.objects.exists()


def test_mentioning_an_external_reviewer_in_an_internal_comment_is_refused(client, world, author, external_reviewer):
    client.force_login(author)
    response = client.post(post_url(world.public_claim), {"text": "@erin look", "visibility": "internal"})
    assert "@erin cannot read internal comments" in response.content.decode()
    assert not Comment.objects.exists()
    client.post(post_url(world.public_claim), {"text": "@erin look", "visibility": "shared"})
    assert Comment.objects.get().mentions.get() == external_reviewer


def test_mentioning_someone_in_a_reply_to_an_internal_thread_follows_the_thread(
    client, world, author, stress_tester, external_reviewer
):
    thread = start_thread(stress_tester, world.public_claim, visibility=CommentVisibility.INTERNAL)
    client.force_login(author)
    response = client.post(action_url("comment_reply", thread), {"text": "@erin should know", "visibility": "shared"})
    assert "@erin cannot read internal comments" in response.content.decode()
    assert Comment.objects.count() == 1


def test_mentioning_nobody_known_is_refused(client, world, author):
    client.force_login(author)
    response = client.post(post_url(world.public_claim), {"text": "Ask @nobody-here."})
    assert "@nobody-here cannot see this claim (or has no account here)" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_edit_adding_a_mention_of_someone_who_cannot_see_it_is_refused(client, world, author, outsider):
    comment = start_thread(author, world.public_claim, text="Plain.")
    client.force_login(author)
    response = client.post(action_url("comment_edit", comment), {"text": "Plain. @charlie", "version": 1})
    assert "@charlie cannot see this claim" in response.content.decode()
    comment.refresh_from_db()
    assert (comment.text, comment.version) == ("Plain.", 1)


def test_mentions_are_read_from_the_text():
    assert mentioned_usernames("@alice, @bob. mail erin@example.org @alice (@tom_2)") == ["alice", "bob", "tom_2"]


# ------------------------------------------------------- resolving and reopening

ALLOWED_TO_RESOLVE = {
    # persona: (may resolve bob's thread, may resolve erin's thread)
    "author": (True, True),
    "stress_tester": (True, True),
    "external_reviewer": (False, True),
    "leadership": (False, False),
    "team_member": (False, False),
}


@pytest.mark.parametrize("name", list(ALLOWED_TO_RESOLVE))
@pytest.mark.parametrize("starter", ["stress_tester", "external_reviewer"])
def test_resolve_and_reopen_are_for_the_starter_the_authors_and_stress_testers(client, world, request, name, starter):
    thread = start_thread(request.getfixturevalue(starter), world.public_claim)
    persona = request.getfixturevalue(name)
    allowed = ALLOWED_TO_RESOLVE[name][starter == "external_reviewer"]
    client.force_login(persona)
    response = client.post(action_url("comment_resolve", thread))
    thread.refresh_from_db()
    if not allowed:
        assert response.status_code == 403
        assert thread.resolved_at is None
        assert action_url("comment_resolve", thread) not in page_of(client, "claim_detail", "egress-monitoring")
        return
    assert response.status_code == 302
    assert thread.resolved_by == persona and thread.resolved_at is not None
    response = client.post(action_url("comment_reopen", thread))
    thread.refresh_from_db()
    assert response.status_code == 302
    assert thread.resolved_at is None and thread.resolved_by is None
    assert list(AuditEntry.objects.filter(action__in=["reviewapp.comment.resolved", "reviewapp.comment.reopened"])
                .order_by("id").values_list("action", flat=True)) == [
        "reviewapp.comment.resolved",
        "reviewapp.comment.reopened",
    ]  # fmt: skip


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_resolving_a_resolved_thread_or_reopening_an_open_one_changes_nothing(client, world, stress_tester, htmx):
    thread = start_thread(stress_tester, world.public_claim)
    client.force_login(stress_tester)
    headers = HTMX if htmx else {}
    response = client.post(action_url("comment_reopen", thread), **headers, follow=not htmx)
    assert "This thread is already open." in response.content.decode()
    client.post(action_url("comment_resolve", thread))
    thread.refresh_from_db()
    resolved_at = thread.resolved_at
    response = client.post(action_url("comment_resolve", thread), **headers, follow=not htmx)
    assert "This thread is already resolved." in response.content.decode()
    thread.refresh_from_db()
    assert thread.resolved_at == resolved_at
    assert AuditEntry.objects.filter(action="reviewapp.comment.resolved").count() == 1
    assert not AuditEntry.objects.filter(action="reviewapp.comment.reopened").exists()


def test_a_reply_is_not_a_thread_to_resolve(client, world, author, stress_tester):
    thread = start_thread(stress_tester, world.public_claim)
    reply = comment_reply(author=author, parent=thread, text="Answer.")
    client.force_login(author)
    assert client.post(action_url("comment_resolve", reply)).status_code == 404
    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_a_resolved_thread_is_folded_away_and_offers_no_reply(client, world, stress_tester):
    thread = start_thread(stress_tester, world.public_claim, text="Done with.")
    client.force_login(stress_tester)
    body = client.post(action_url("comment_resolve", thread), **HTMX).content.decode()
    assert "Thread resolved." in body
    assert "1 resolved thread</summary>" in body
    assert "0 open threads" in body
    assert action_url("comment_reply", thread) not in body
    assert action_url("comment_reopen", thread) in body


# ------------------------------------------------------------ discussion page


def test_the_discussion_page_lists_open_threads_by_kind_of_subject(client, world, author, stress_tester):
    start_thread(stress_tester, world.public_claim, text="On the claim.")
    start_thread(stress_tester, world.in_scope, text="On the pathway.")
    start_thread(stress_tester, world.public_evidence, text="On the evidence.")
    start_thread(stress_tester, Conclusion.objects.get(pathway=world.in_scope), text="On the conclusion.")
    resolved = start_thread(stress_tester, world.public_claim, text="Settled already.")
    comment_resolve(thread=resolved, actor=stress_tester)
    reply = comment_reply(author=author, parent=Comment.objects.get(text="On the claim."), text="A reply.")
    client.force_login(author)
    body = page_of(client, "discussion")
    assert "4 open threads" in body
    for text in ["On the claim.", "On the pathway.", "On the evidence.", "On the conclusion."]:
        assert text in body
    assert "Settled already." not in body
    assert f"/reports/pilot/claims/egress-monitoring/?threads=all#comment-{reply.parent_id}" in body
    claims_only = client.get(reverse("discussion", args=["pilot"]), {"subject": "claim"}).content.decode()
    assert "1 open thread<" in claims_only and "On the claim." in claims_only and "On the pathway." not in claims_only
    fragment = client.get(reverse("discussion", args=["pilot"]), {"subject": "conclusion"}, **HTMX).content.decode()
    assert "<html" not in fragment and "On the conclusion." in fragment and "On the claim." not in fragment


def test_an_unknown_filter_says_so_and_shows_everything(client, world, author):
    start_thread(author, world.public_claim, text="On the claim.")
    client.force_login(author)
    body = client.get(reverse("discussion", args=["pilot"]), {"subject": "report"}).content.decode()
    assert 'class="field-error"' in body and "On the claim." in body


def test_the_empty_discussion_page_says_how_to_start(client, world, author):
    client.force_login(author)
    body = page_of(client, "discussion")
    assert "No open threads" in body
    assert "Start one from the discussion panel" in body


def test_the_panel_links_to_the_discussion_page(client, world, team_member):
    client.force_login(team_member)
    assert 'href="/reports/pilot/discussion/"' in page_of(client, "evidence_detail", "egress-review")


def test_a_team_member_and_leadership_may_comment(client, world, team_member, leadership):
    for person in (team_member, leadership):
        client.force_login(person)
        client.post(post_url(world.public_evidence), {"text": f"From {person.username}."})
    assert Comment.objects.count() == 2


def test_an_inactive_person_cannot_be_mentioned(client, world, author):
    UserFactory(username="gone", is_active=False)
    client.force_login(author)
    response = client.post(post_url(world.public_claim), {"text": "@gone?"})
    assert "@gone cannot see this claim" in response.content.decode()
