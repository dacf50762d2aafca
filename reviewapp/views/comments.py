"""Comments: threads on pathways, claims, evidence and conclusions.

The discussion panel sits in the right-hand column of pathway, claim and evidence pages
(a pathway's panel also holds its conclusion's threads); the discussion page of a report
lists its open threads and holds the overall conclusion's. Every action re-renders the
panel in place under htmx (`_panel.html#comment-panel`); a plain POST gets a message and a
redirect back to the thread, or, when refused, a page with the form and what was typed.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from pathways.models import Conclusion, Pathway
from pathways.selectors import report_for_user
from reviewapp.enums import CommentVisibility
from reviewapp.forms_comments import CommentEditForm, CommentForm, DiscussionFilterForm
from reviewapp.selectors.comments import (
    comment_for,
    comment_subject_for,
    comments_on,
    open_threads_in,
    subject_key,
    subject_type_of,
    thread_rows,
)
from reviewapp.services import comments as services
from reviewapp.services.comments import CommentConflict, CommentError, comment_subject
from reviewapp.views.common import is_htmx, paginate, reader_required, report_page, require

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
    def subject_type(self) -> str:
        return subject_type_of(self.subject)

    @property
    def key(self) -> str:
        return f"{self.subject_type}-{self.subject.pk}"


def _panel_subjects(subject) -> list:
    """A pathway's panel holds the pathway's threads and its conclusion's."""
    if isinstance(subject, Pathway):
        conclusion = getattr(subject, "conclusion", None)
        return [subject, conclusion] if conclusion else [subject]
    return [subject]


def _panel_subject(subject):
    """The subject whose page shows the panel a comment on `subject` lives in."""
    if isinstance(subject, Conclusion) and subject.pathway_id:
        return subject.pathway
    return subject


def _section_heading(subject) -> tuple[str, str]:
    kind = subject_type_of(subject)
    if kind == "conclusion":
        return ("On the conclusion" if subject.pathway_id else "On the overall conclusion"), "conclusion"
    return {"pathway": ("On this pathway", "pathway"), "claim": ("On this claim", "claim")}.get(
        kind, ("On this evidence", "evidence item")
    )


def subject_page_url(report, subject) -> str:
    """The page where the discussion of this subject is shown."""
    kind = subject_type_of(subject)
    if kind == "pathway":
        return reverse("pathway_detail", args=[report.slug, subject.slug])
    if kind == "claim":
        return reverse("claim_detail", args=[report.slug, subject.slug])
    if kind == "evidence":
        return reverse("evidence_detail", args=[report.slug, subject.slug])
    if subject.pathway_id:
        return reverse("pathway_detail", args=[report.slug, subject.pathway.slug])
    return reverse("discussion", args=[report.slug])


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
        heading, noun = _section_heading(section_subject)
        sections.append(CommentSection(subject=section_subject, heading=heading, noun=noun))
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
                failure if failure and failure.kind == "reply" and _thread_id(failure.target) == comment.pk else None
            )
            threads[comment.pk] = comment
            section = by_key[subject_key(comment)]
            (section.resolved_threads if comment.resolved_at else section.open_threads).append(comment)
            if comment.resolved_at:
                section.resolved_count = comment.threads_like_it
            else:
                section.open_count = comment.threads_like_it
        elif comment.parent_id in threads:
            threads[comment.parent_id].visible_replies.append(comment)
    if failure and failure.kind == "new":
        section = by_key.get(f"{subject_type_of(failure.target)}-{failure.target.pk}")
        if section:
            section.failure = failure
    for section in sections:
        # A refused reply or edit in a resolved thread is shown unfolded, with its text.
        section.resolved_open = any(
            thread.reply_failure or any(c.edit_failure for c in [thread, *thread.visible_replies])
            for thread in section.resolved_threads
        )
    unplaced_error = ""
    if failure and failure.kind == "reply" and _thread_id(failure.target) not in threads:
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


def _thread_id(comment) -> int:
    return comment.parent_id or comment.pk


def _render_panel(request, *, report, subject, failure=None, notice="", notice_is_error=False):
    scope = request.access.on(report)
    context = {
        "report": report,
        "level": scope.level,
        **panel_context(
            request,
            report=report,
            scope=scope,
            subject=_panel_subject(subject),
            failure=failure,
            notice=notice,
            notice_is_error=notice_is_error,
        ),
    }
    return render(request, PANEL, context)


def _done(request, *, report, subject, comment, message, in_older_thread=True):
    if request.htmx:
        return _render_panel(request, report=report, subject=subject, notice=message)
    messages.success(request, message)
    # A new thread is the newest, shown at the top; a reply or an edit may be in an older
    # thread, which the panel shows with every thread.
    every_thread = "?threads=all" if in_older_thread else ""
    return redirect(f"{subject_page_url(report, subject)}{every_thread}#comment-{comment.pk}")


def _refused(request, *, report, subject, failure: Failure):
    """The form again, where it was, with what was typed and why it was refused."""
    if request.htmx:
        return _render_panel(request, report=report, subject=subject, failure=failure)
    context = report_page(request, report.slug)
    context.update(
        failure=failure,
        subject=subject,
        subject_url=subject_page_url(report, subject),
        subject_label=_subject_label(subject),
        **_form_settings(request.user, report, failure),
    )
    return render(request, "reviewapp/comments/compose.html", context)


def _form_settings(user, report, failure: Failure) -> dict:
    """What the stand-alone form of a refused action shows: where it posts, what it is."""
    report_slug = report.slug
    if failure.kind == "new":
        action = reverse("comment_post", args=[report_slug, subject_type_of(failure.target), failure.target.pk])
        visibility = "shared" if user.is_external else "choose"
        return {"form_action": action, "form_visibility": visibility, "form_title": "Your comment was not posted"}
    if failure.kind == "reply":
        action = reverse("comment_reply", args=[report_slug, failure.target.pk])
        internal = CommentVisibility.INTERNAL in (
            failure.target.visibility,
            failure.target.parent.visibility if failure.target.parent_id else "",
        )
        visibility = "internal" if internal else ("shared" if user.is_external else "choose")
        return {"form_action": action, "form_visibility": visibility, "form_title": "Your reply was not posted"}
    action = reverse("comment_edit", args=[report_slug, failure.target.pk])
    return {
        "form_action": action,
        "form_visibility": "",
        "form_version": failure.version or failure.target.version,
        "form_title": "Your edit was not saved",
    }


def _subject_label(subject) -> str:
    kind = subject_type_of(subject)
    if kind == "conclusion":
        return f"the conclusion on {subject.pathway.title}" if subject.pathway_id else "the overall conclusion"
    if kind == "claim":
        return f"the claim “{subject.statement}”"
    return f"the {'pathway' if kind == 'pathway' else 'evidence item'} “{subject.title}”"


def _subject_title(subject) -> str:
    """The subject's name in a list that already says what kind of thing it is."""
    kind = subject_type_of(subject)
    if kind == "conclusion":
        return f"Conclusion on {subject.pathway.title}" if subject.pathway_id else "The overall conclusion"
    return subject.statement if kind == "claim" else subject.title


def _add_error(form, error: CommentError):
    form.add_error(error.field, str(error))


@require_POST
@reader_required
def comment_post(request, slug, subject_type, subject_id):
    """Start a thread. Anyone who can see the subject may; the subject is looked up in
    this report through the reader's scope, so a forged id answers 404."""
    report = report_for_user(request.user, slug)
    subject = comment_subject_for(request.user, report=report, subject_type=subject_type, subject_id=subject_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_post(
                author=request.user,
                subject=subject,
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
            )
        except CommentError as error:
            _add_error(form, error)
        else:
            return _done(
                request,
                report=report,
                subject=subject,
                comment=comment,
                message="Comment posted.",
                in_older_thread=False,
            )
    return _refused(request, report=report, subject=subject, failure=Failure("new", subject, form))


@require_POST
@reader_required
def comment_reply(request, slug, comment_id):
    report = report_for_user(request.user, slug)
    parent = comment_for(request.user, report=report, comment_id=comment_id)
    subject = comment_subject(parent)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            reply = services.comment_reply(
                author=request.user,
                parent=parent,
                text=form.cleaned_data["text"],
                visibility=form.cleaned_data["visibility"],
            )
        except CommentError as error:
            _add_error(form, error)
        else:
            return _done(request, report=report, subject=subject, comment=reply, message="Reply posted.")
    return _refused(request, report=report, subject=subject, failure=Failure("reply", parent, form))


@require_POST
@reader_required
def comment_edit(request, slug, comment_id):
    """Edit one's own comment: someone else's answers 403 (404 if one cannot see it)."""
    report = report_for_user(request.access, slug)
    comment = comment_for(request.access, report=report, comment_id=comment_id)
    require(request.access.on(report).may_edit_comment(comment), "Only the person who wrote a comment edits it.")
    subject = comment_subject(comment)
    form = CommentEditForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_edit(
                comment=comment,
                editor=request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
        except CommentConflict as conflict:
            # Show the newer text above; saving again from here saves over it knowingly.
            data = request.POST.copy()
            data["version"] = str(conflict.current.version)
            form = CommentEditForm(data)
            form.is_valid()
            form.add_error(None, str(conflict))
            comment = conflict.current
        except CommentError as error:
            _add_error(form, error)
        else:
            return _done(request, report=report, subject=subject, comment=comment, message="Comment saved.")
    return _refused(request, report=report, subject=subject, failure=Failure("edit", comment, form))


def _resolution(request, slug, comment_id, *, resolve: bool):
    report = report_for_user(request.access, slug)
    thread = comment_for(request.access, report=report, comment_id=comment_id, thread_only=True)
    require(
        request.access.on(report).may_resolve(thread),
        "Only the thread's author, the report's authors and stress-testers resolve threads.",
    )
    subject = comment_subject(thread)
    change = services.comment_resolve if resolve else services.comment_reopen
    try:
        change(thread=thread, actor=request.user)
    except CommentError as error:
        notice, level = f"Not changed: {error}", messages.ERROR
    else:
        notice, level = ("Thread resolved." if resolve else "Thread reopened."), messages.SUCCESS
    if request.htmx:
        return _render_panel(
            request, report=report, subject=subject, notice=notice, notice_is_error=level == messages.ERROR
        )
    messages.add_message(request, level, notice)
    return redirect(f"{subject_page_url(report, subject)}?threads=all#comment-{thread.pk}")


@require_POST
@reader_required
def comment_resolve(request, slug, comment_id):
    return _resolution(request, slug, comment_id, resolve=True)


@require_POST
@reader_required
def comment_reopen(request, slug, comment_id):
    return _resolution(request, slug, comment_id, resolve=False)


@require_GET
@reader_required
def discussion(request, slug):
    """The report's open threads that the reader can see, filterable by kind of subject,
    and the discussion of the overall conclusion."""
    context = report_page(request, slug)
    report, scope = context["report"], context["scope"]
    form = DiscussionFilterForm(request.GET or None)
    subject_type = form.cleaned_data["subject"] if form.is_valid() else ""
    pages = paginate(request, open_threads_in(request.access, report=report, subject_type=subject_type), 30)
    threads = list(thread_rows(request.access, pages["page"].object_list))
    context.update(pages)
    # Pathways and conclusions come from the page's column (which holds every pathway the
    # reader sees, with its conclusion) rather than from joins in the threads' query.
    pathways = {pathway.pk: pathway for pathway in context["pathways"]}
    conclusions = {
        pathway.conclusion.pk: pathway.conclusion
        for pathway in context["pathways"]
        if getattr(pathway, "conclusion", None) is not None
    }
    for conclusion in conclusions.values():
        conclusion.pathway = pathways[conclusion.pathway_id]
    if context["overall"]:
        conclusions[context["overall"].pk] = context["overall"]
    for thread in threads:
        if thread.pathway_id:
            thread.pathway = pathways[thread.pathway_id]
        elif thread.conclusion_id:
            thread.conclusion = conclusions[thread.conclusion_id]
        subject = comment_subject(thread)
        thread.subject_kind = subject_type_of(subject)
        thread.subject_label = _subject_title(subject)
        thread.subject_url = f"{subject_page_url(report, subject)}?threads=all#comment-{thread.pk}"
    context.update(form=form, threads=threads, subject_type=subject_type)
    if is_htmx(request):
        return render(request, "reviewapp/comments/discussion.html#discussion-results", context)
    overall = context["overall"]
    if overall:
        context.update(overall=overall, **panel_context(request, report=report, scope=scope, subject=overall))
    return render(request, "reviewapp/comments/discussion.html", context)


urlpatterns = [
    path("reports/<slug:slug>/discussion/", discussion, name="discussion"),
    path(
        "reports/<slug:slug>/comments/<slug:subject_type>/<int:subject_id>/",
        comment_post,
        name="comment_post",
    ),
    path("reports/<slug:slug>/comments/<int:comment_id>/reply/", comment_reply, name="comment_reply"),
    path("reports/<slug:slug>/comments/<int:comment_id>/edit/", comment_edit, name="comment_edit"),
    path("reports/<slug:slug>/comments/<int:comment_id>/resolve/", comment_resolve, name="comment_resolve"),
    path("reports/<slug:slug>/comments/<int:comment_id>/reopen/", comment_reopen, name="comment_reopen"),
]
