"""The discussion part of a subject page's right-hand column: the threads on a pathway (and
its conclusion), a claim, an evidence item or the overall conclusion, with their replies and
the forms to add to them; re-rendered in place after every comment action under htmx."""

from dataclasses import dataclass, field

from django import forms
from django.shortcuts import render

from pathways.models import Conclusion, Pathway
from reviewapp import subjects
from reviewapp.selectors.comments import comments_on

PANEL = "reviewapp/comments/_panel.html#comment-panel"
# Threads of each kind (open, resolved) a panel shows of one subject; `?threads=all` shows every one.
THREADS_SHOWN = 10


@dataclass
class Failure:
    """A refused form, to show again where it was, with what was typed and why."""

    kind: str  # "new", "reply" or "edit"
    target: object  # the subject (new) or the comment (reply, edit)
    form: forms.Form

    @property
    def text(self) -> str:
        return self.form.data.get("text", "")

    @property
    def version(self):
        return self.form.data.get("version", "")

    @property
    def visibility(self) -> str:
        return self.form.data.get("visibility", "")

    @property
    def text_errors(self) -> list:
        return self.form.errors.get("text", [])

    @property
    def non_field_errors(self) -> list:
        others = [error for name in ("visibility", "version") for error in self.form.errors.get(name, [])]
        return [*self.form.non_field_errors(), *others]


@dataclass
class CommentSection:
    """The threads on one subject, as one reader sees them."""

    subject: object
    heading: str
    noun: str
    post_url: str  # where a new thread on the subject is posted
    open_threads: list = field(default_factory=list)
    resolved_threads: list = field(default_factory=list)
    failure: Failure | None = None
    resolved_open: bool = False
    open_count: int = 0  # threads in all, of which open_threads are the newest
    resolved_count: int = 0

    @property
    def threads_left_out(self) -> int:
        return self.open_count - len(self.open_threads) + self.resolved_count - len(self.resolved_threads)

    @property
    def key(self) -> str:
        return subjects.key(self.subject)


def _panel_subjects(subject) -> list:
    """A pathway's panel holds the pathway's threads and its conclusion's."""
    if isinstance(subject, Pathway):
        conclusion = getattr(subject, "conclusion", None)
        return [subject, conclusion] if conclusion else [subject]
    return [subject]


def panel_subject(subject):
    """The subject whose page shows the panel a comment on `subject` lives in."""
    if isinstance(subject, Conclusion) and subject.pathway_id:
        return subject.pathway
    return subject


def _section_heading(subject) -> str:
    kind = subjects.kind_of(subject)
    if kind == "conclusion":
        return "On the conclusion" if subject.pathway_id else "On the overall conclusion"
    return f"On this {'evidence' if kind == 'evidence' else kind}"


def panel_context(
    request, *, report, scope, subject, failure: Failure | None = None, notice: str = "", notice_is_error=False
) -> dict:
    """Context for the discussion part of the right-hand column of a pathway, claim or evidence page.

    One query: the comments the reader can see on the panel's subjects, grouped here into
    threads with their replies: the newest THREADS_SHOWN open and resolved threads of each
    subject, or every one with `?threads=all` (and after a refused action, so that the
    thread it was in is there)."""
    user = request.access
    show_all = request.GET.get("threads") == "all" or failure is not None
    sections = []
    for section_subject in _panel_subjects(subject):
        sections.append(
            CommentSection(
                subject=section_subject,
                heading=_section_heading(section_subject),
                noun=subjects.NOUNS[subjects.kind_of(section_subject)],
                post_url=subjects.url("comment_post", report.slug, section_subject),
            )
        )
    by_key = {section.key: section for section in sections}
    threads = {}
    limit = None if show_all else THREADS_SHOWN
    for comment in comments_on(user, subjects=[section.subject for section in sections], threads_per_subject=limit):
        comment.may_edit = scope.may_edit_comment(comment)
        comment.edit_failure = (
            failure if failure and failure.kind == "edit" and failure.target.pk == comment.pk else None
        )
        if comment.parent_id is None:
            comment.visible_replies = []
            comment.may_resolve = scope.may_resolve(comment)
            comment.reply_failure = (
                failure if failure and failure.kind == "reply" and thread_id(failure.target) == comment.pk else None
            )
            threads[comment.pk] = comment
            section = by_key[subjects.key_of(comment)]
            (section.resolved_threads if comment.resolved_at else section.open_threads).append(comment)
            if comment.resolved_at:
                section.resolved_count = comment.threads_like_it
            else:
                section.open_count = comment.threads_like_it
        elif comment.parent_id in threads:
            threads[comment.parent_id].visible_replies.append(comment)
    if failure and failure.kind == "new":
        section = by_key.get(subjects.key(failure.target))
        if section:
            section.failure = failure
    for section in sections:
        # A refused reply or edit in a resolved thread is shown unfolded, with its text.
        section.resolved_open = any(
            thread.reply_failure or any(c.edit_failure for c in [thread, *thread.visible_replies])
            for thread in section.resolved_threads
        )
    unplaced_error = ""
    if failure and failure.kind == "reply" and thread_id(failure.target) not in threads:
        unplaced_error = " ".join(str(error) for error in failure.non_field_errors + failure.text_errors)
    return {
        "comment_panel": {
            "sections": sections,
            "notice": notice or unplaced_error,
            "notice_is_error": notice_is_error or bool(unplaced_error),
            "sees_internal": not user.is_external,
            # The overall conclusion's panel is on the discussion page itself.
            "links_to_discussion": not (isinstance(subject, Conclusion) and not subject.pathway_id),
        }
    }


def thread_id(comment) -> int:
    return comment.parent_id or comment.pk


def render_panel(request, *, report, subject, failure=None, notice="", notice_is_error=False):
    scope = request.access.on(report)
    context = {
        "report": report,
        "level": scope.level,
        **panel_context(
            request,
            report=report,
            scope=scope,
            subject=panel_subject(subject),
            failure=failure,
            notice=notice,
            notice_is_error=notice_is_error,
        ),
    }
    return render(request, PANEL, context)
