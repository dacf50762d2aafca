"""A reviewer comments and an author replies, in place, under the strict CSP."""

from playwright.sync_api import expect

from reviewapp.services.comments import comment_post, comment_reply
from tests.conftest import ALL_CANARIES
from tests.reviewapp.test_comments_leaks import CANARY_INTERNAL_COMMENT

QUESTION = "Which drills saw the large transfers?"
ANSWER = "The March red-team drill; see the egress review."


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_an_external_reviewer_comments_on_a_claim_the_author_replies_and_she_reads_the_reply(
    page, live_server, login, world, author, stress_tester, external_reviewer
):
    comment_post(author=stress_tester, subject=world.public_claim, text=CANARY_INTERNAL_COMMENT, visibility="internal")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    claim_url = f"{live_server.url}/reports/pilot/claims/egress-monitoring/"

    login("erin")
    page.goto(claim_url)
    panel = page.locator("#comment-panel")
    expect(panel.get_by_text("No open threads on this claim")).to_be_visible()
    expect(panel.get_by_role("radio")).to_have_count(0)  # her comments are always shared
    panel.get_by_label("Start a thread on this claim").fill(f"{QUESTION} @alice")
    panel.get_by_role("button", name="Post comment").click()
    expect(panel.get_by_text("Comment posted.")).to_be_visible()
    expect(panel.locator(".comment-text", has_text=QUESTION)).to_be_visible()
    assert page.url == claim_url  # posted in place, no navigation
    _log_out(page)

    login("alice")
    page.goto(claim_url)
    thread = page.locator("#comment-panel article.comment-thread", has_text=QUESTION)
    thread.get_by_text("Reply", exact=True).click()
    thread.get_by_label("Your reply").fill(ANSWER)
    expect(thread.get_by_label("Shared with the report's reviewers")).to_be_checked()
    thread.get_by_role("button", name="Post reply").click()
    expect(page.locator("#comment-panel").get_by_text("Reply posted.")).to_be_visible()
    expect(page.locator("#comment-panel .comment-text", has_text=ANSWER)).to_be_visible()
    _log_out(page)

    login("erin")
    page.goto(claim_url)
    thread = page.locator("#comment-panel article.comment-thread", has_text=QUESTION)
    expect(thread.locator(".comment-text", has_text=ANSWER)).to_be_visible()
    expect(thread.get_by_text("1 reply")).to_be_visible()
    content = page.content()
    for canary in [*ALL_CANARIES, CANARY_INTERNAL_COMMENT]:
        assert canary not in content
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_an_author_resolves_a_thread_in_place_and_reopens_it(page, live_server, login, world, author, stress_tester):
    thread = comment_post(author=stress_tester, subject=world.in_scope, text="Is the **monitoring** enough?")
    comment_reply(author=author, parent=thread, text="An internal aside.", visibility="internal")
    login("alice")
    page.goto(f"{live_server.url}/reports/pilot/pathways/exfiltration/")
    panel = page.locator("#comment-panel")
    expect(panel.get_by_text("On the conclusion")).to_be_visible()
    panel.get_by_role("button", name="Resolve thread").click()
    expect(panel.get_by_text("Thread resolved.")).to_be_visible()
    panel.get_by_text("1 resolved thread").click()
    panel.get_by_role("button", name="Reopen thread").click()
    expect(panel.get_by_text("Thread reopened.")).to_be_visible()
    expect(panel.get_by_role("button", name="Resolve thread")).to_be_visible()
    assert "/pathways/exfiltration/" in page.url

    panel.get_by_role("link", name="All open threads on this report").click()
    expect(page.get_by_role("heading", name="1 open thread", exact=True)).to_be_visible()
    page.get_by_label("On", exact=True).select_option("claim")
    expect(page).to_have_url(f"{live_server.url}/reports/pilot/discussion/?subject=claim")
    expect(page.get_by_role("heading", name="0 open threads", exact=True)).to_be_visible()
    page.get_by_label("On", exact=True).select_option("pathway")
    expect(page.locator("#discussion-results").get_by_role("link", name="Self-exfiltration")).to_be_visible()
