"""Permission-matrix rows of the comments feature.

Anyone who can see a subject may comment on it and reply; out of scope is 404 (an
internal comment, a thread on the government pathway or on an internal claim, for the
external reviewer). Editing is for the comment's author only: 403 for anyone else who
can see the comment. Resolving and reopening is for the thread's author, the report's
authors (alice) and stress-testers (bob).
"""

from django.utils import timezone

from pathways.models import Conclusion
from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.models import Comment
from tests.factories import ClaimFactory, ReportFactory
from tests.reviewapp.matrix import HTMX, IN_SCOPE, REPORT_PAGE, SIGNED_IN, Row

EVERYONE_404 = {**dict.fromkeys(SIGNED_IN, 404), "anonymous": 302}
DONE = {**dict.fromkeys(IN_SCOPE, 302), "outsider": 404, "anonymous": 302}
DONE_HTMX = {**dict.fromkeys(IN_SCOPE, 200), "outsider": 404, "anonymous": 200}
DONE_NOT_EXTERNAL = {**DONE, "external_reviewer": 404}
DONE_NOT_EXTERNAL_HTMX = {**DONE_HTMX, "external_reviewer": 404}
NOT_ALLOWED = dict.fromkeys([*SIGNED_IN, "anonymous"], 405)


def _subject(world, kind: str):
    return {
        "public-claim": world.public_claim,
        "internal-claim": world.internal_claim,
        "exfiltration": world.in_scope,
        "government": world.out_of_scope,
        "exfiltration-conclusion": Conclusion.objects.get(pathway=world.in_scope),
        "government-conclusion": Conclusion.objects.get(pathway=world.out_of_scope),
        "overall-conclusion": Conclusion.objects.get(report=world.report, pathway=None),
        "public-evidence": world.public_evidence,
        "internal-evidence": world.internal_evidence,
    }[kind]


def thread(by: str, *, on: str = "public-claim", visibility=CommentVisibility.SHARED, resolved=False):
    """A setup that starts a thread by the persona `by` on a subject of the world."""

    def setup(world, persona):
        subject = _subject(world, on)
        comment = Comment.objects.create(
            report=world.report,
            author=persona(by),
            visibility=visibility,
            text="A thread to act on.",
            **{subjects.kind_of(subject): subject},
        )
        if resolved:
            Comment.objects.filter(pk=comment.pk).update(resolved_at=timezone.now(), resolved_by=comment.author)
        return comment

    return setup


def _post_to(kind: str):
    def kwargs(world, objects):
        subject = _subject(world, kind)
        return {"slug": "pilot", **subjects.url_kwargs(subject)}

    return kwargs


def _another_reports_claim(world, persona):
    other = ReportFactory(slug="other-report")
    return ClaimFactory(report=other, slug="elsewhere")


def _on_comment(world, comment):
    return {"slug": "pilot", "comment_id": comment.pk}


TEXT = {"text": "A question about this."}
EDIT = {"text": "Edited text.", "version": 1}

# Who may resolve a thread started by bob (stress-tester) / erin (external reviewer).
RESOLVE_BOBS = {
    "author": 302,
    "stress_tester": 302,
    "external_reviewer": 403,
    "leadership": 403,
    "team_member": 403,
    "outsider": 404,
    "anonymous": 302,
}
RESOLVE_ERINS = {**RESOLVE_BOBS, "external_reviewer": 302}
EDIT_BOBS = {**dict.fromkeys(IN_SCOPE, 403), "stress_tester": 302, "outsider": 404, "anonymous": 302}
EDIT_ERINS = {**dict.fromkeys(IN_SCOPE, 403), "external_reviewer": 302, "outsider": 404, "anonymous": 302}


def _htmx(expected: dict) -> dict:
    """The same rule answered to htmx: a done action re-renders the panel (200), and an
    expired session gets HX-Redirect (200 with an empty body)."""
    return {p: 200 if status == 302 else status for p, status in expected.items()}


ROWS = [
    Row("discussion", REPORT_PAGE, {"slug": "pilot"}),
    Row("discussion", REPORT_PAGE, {"slug": "pilot"}, data={"subject": "claim"}, label="filtered"),
    Row("discussion", {**REPORT_PAGE, "anonymous": 200}, {"slug": "pilot"}, headers=HTMX),
    Row("discussion", EVERYONE_404, {"slug": "no-such-report"}),
    # Starting a thread, on each kind of subject.
    Row("comment_post", NOT_ALLOWED, _post_to("public-claim"), label="get"),
    Row("comment_post", DONE, _post_to("public-claim"), method="post", data=TEXT, label="public-claim"),
    Row("comment_post", DONE_HTMX, _post_to("public-claim"), method="post", data=TEXT, headers=HTMX),
    Row("comment_post", DONE_NOT_EXTERNAL, _post_to("internal-claim"), method="post", data=TEXT, label="internal"),
    Row("comment_post", DONE, _post_to("exfiltration"), method="post", data=TEXT, label="pathway"),
    Row("comment_post", DONE_NOT_EXTERNAL, _post_to("government"), method="post", data=TEXT, label="out-of-scope"),
    Row("comment_post", DONE, _post_to("exfiltration-conclusion"), method="post", data=TEXT, label="conclusion"),
    Row(
        "comment_post",
        DONE_NOT_EXTERNAL_HTMX,
        _post_to("government-conclusion"),
        method="post",
        data=TEXT,
        headers=HTMX,
        label="out-of-scope-conclusion",
    ),
    Row("comment_post", DONE, _post_to("overall-conclusion"), method="post", data=TEXT, label="overall"),
    Row("comment_post", DONE, _post_to("public-evidence"), method="post", data=TEXT, label="evidence"),
    Row(
        "comment_post",
        DONE_NOT_EXTERNAL,
        _post_to("internal-evidence"),
        method="post",
        data=TEXT,
        label="internal-evidence",
    ),
    Row(
        "comment_post",
        EVERYONE_404,
        lambda world, claim: {"slug": "pilot", "kind": "claims", "key": claim.slug},
        method="post",
        data=TEXT,
        setup=_another_reports_claim,
        label="another-reports-claim",
    ),
    Row(
        "comment_post",
        EVERYONE_404,
        {"slug": "pilot", "kind": "conclusion", "key": "no-such-pathway"},
        method="post",
        data=TEXT,
        label="no-such-pathway",
    ),
    # Replies.
    Row("comment_reply", DONE, _on_comment, method="post", data=TEXT, setup=thread("stress_tester")),
    Row("comment_reply", DONE_HTMX, _on_comment, method="post", data=TEXT, headers=HTMX, setup=thread("author")),
    Row(
        "comment_reply",
        DONE_NOT_EXTERNAL,
        _on_comment,
        method="post",
        data=TEXT,
        setup=thread("stress_tester", visibility=CommentVisibility.INTERNAL),
        label="internal",
    ),
    Row(
        "comment_reply",
        DONE_NOT_EXTERNAL,
        _on_comment,
        method="post",
        data=TEXT,
        setup=thread("author", on="government"),
        label="out-of-scope",
    ),
    Row(
        "comment_reply",
        DONE_NOT_EXTERNAL_HTMX,
        _on_comment,
        method="post",
        data=TEXT,
        headers=HTMX,
        setup=thread("author", on="internal-claim"),
        label="internal-claim",
    ),
    # Edits: one's own only.
    Row("comment_edit", EDIT_BOBS, _on_comment, method="post", data=EDIT, setup=thread("stress_tester")),
    Row(
        "comment_edit",
        _htmx(EDIT_BOBS),
        _on_comment,
        method="post",
        data=EDIT,
        headers=HTMX,
        setup=thread("stress_tester"),
    ),
    Row(
        "comment_edit",
        {**EDIT_BOBS, "external_reviewer": 404},
        _on_comment,
        method="post",
        data=EDIT,
        setup=thread("stress_tester", visibility=CommentVisibility.INTERNAL),
        label="internal",
    ),
    Row(
        "comment_edit",
        EDIT_ERINS,
        _on_comment,
        method="post",
        data=EDIT,
        setup=thread("external_reviewer", on="exfiltration"),
        label="erins",
    ),
    Row(
        "comment_edit",
        {**EDIT_BOBS, "external_reviewer": 404},
        _on_comment,
        method="post",
        data=EDIT,
        setup=thread("stress_tester", on="government"),
        label="out-of-scope",
    ),
    # Resolving and reopening threads.
    Row("comment_resolve", RESOLVE_BOBS, _on_comment, method="post", setup=thread("stress_tester")),
    Row(
        "comment_resolve", _htmx(RESOLVE_BOBS), _on_comment, method="post", headers=HTMX, setup=thread("stress_tester")
    ),
    Row(
        "comment_resolve",
        RESOLVE_ERINS,
        _on_comment,
        method="post",
        setup=thread("external_reviewer", on="exfiltration-conclusion"),
        label="erins",
    ),
    Row(
        "comment_resolve",
        {**RESOLVE_BOBS, "external_reviewer": 404},
        _on_comment,
        method="post",
        setup=thread("stress_tester", visibility=CommentVisibility.INTERNAL),
        label="internal",
    ),
    Row(
        "comment_resolve",
        {**RESOLVE_BOBS, "external_reviewer": 404},
        _on_comment,
        method="post",
        setup=thread("stress_tester", on="internal-claim"),
        label="internal-claim",
    ),
    Row("comment_reopen", RESOLVE_BOBS, _on_comment, method="post", setup=thread("stress_tester", resolved=True)),
    Row(
        "comment_reopen",
        _htmx(RESOLVE_ERINS),
        _on_comment,
        method="post",
        headers=HTMX,
        setup=thread("external_reviewer", resolved=True),
        label="erins",
    ),
    Row(
        "comment_reopen",
        {**RESOLVE_BOBS, "external_reviewer": 404},
        _on_comment,
        method="post",
        setup=thread("author", on="government", resolved=True),
        label="out-of-scope",
    ),
]
