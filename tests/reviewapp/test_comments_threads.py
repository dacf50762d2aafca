"""Comments, continued: edits with versions, mentions, resolving and reopening, and the
discussion page."""

import pytest
from django.urls import reverse

from pathways.models import AuditEntry, Conclusion
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from reviewapp.services.comments import comment_reply, comment_resolve, mentioned_usernames
from tests.factories import UserFactory
from tests.helpers import HTMX
from tests.reviewapp.commenting import action_url, page_of, post_url, start_thread

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
