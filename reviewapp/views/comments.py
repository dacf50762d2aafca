"""Comments: threads on pathways, claims, evidence and conclusions.

The discussion panel sits in the right-hand column of pathway, claim and evidence pages
(a pathway's panel also holds its conclusion's threads); the discussion page of a report
lists its open threads and holds the overall conclusion's. Every action re-renders the
panel in place under htmx (`_panel.html#comment-panel`); a plain POST gets a message and a
redirect back to the thread, or, when refused, a page with the form and what was typed.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from pathways.selectors import report_for_user
from reviewapp import subjects
from reviewapp.enums import CommentVisibility
from reviewapp.forms.comments import CommentEditForm, CommentForm, DiscussionFilterForm
from reviewapp.pages import is_htmx, paginate, reader_required, report_page, require
from reviewapp.panels.comments import Failure, panel_context, render_panel
from reviewapp.selectors.comments import comment_for, open_threads_in, thread_rows
from reviewapp.services import comments as services
from reviewapp.services.comments import CommentConflict, CommentError


def _done(request, *, report, subject, comment, message, in_older_thread=True):
    if is_htmx(request):
        return render_panel(request, report=report, subject=subject, notice=message)
    messages.success(request, message)
    # A new thread is the newest, shown at the top; a reply or an edit may be in an older
    # thread, which the panel shows with every thread.
    every_thread = "?threads=all" if in_older_thread else ""
    return redirect(f"{subjects.page_url(report.slug, subject)}{every_thread}#comment-{comment.pk}")


def _refused(request, *, report, subject, failure: Failure):
    """The form again, where it was, with what was typed and why it was refused."""
    if is_htmx(request):
        return render_panel(request, report=report, subject=subject, failure=failure)
    context = report_page(request, report.slug)
    context.update(
        failure=failure,
        subject=subject,
        subject_url=subjects.page_url(report.slug, subject),
        subject_label=subjects.label(subject),
        **_form_settings(request.user, report, failure),
    )
    return render(request, "reviewapp/comments/compose.html", context)


def _form_settings(user, report, failure: Failure) -> dict:
    """What the stand-alone form of a refused action shows: where it posts, what it is."""
    report_slug = report.slug
    if failure.kind == "new":
        action = subjects.url("comment_post", report_slug, failure.target)
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


def _add_error(form, error: CommentError):
    form.add_error(error.field, str(error))


@require_POST
@reader_required
def comment_post(request, slug, kind, key=None):
    """Start a thread. Anyone who can see the subject may; the subject is looked up in
    this report through the reader's scope, so a forged id answers 404."""
    report = report_for_user(request.user, slug)
    subject = subjects.subject_for(request.access, report, kind, key)
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
    subject = subjects.of(parent)
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
    subject = subjects.of(comment)
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
    subject = subjects.of(thread)
    change = services.comment_resolve if resolve else services.comment_reopen
    try:
        change(thread=thread, actor=request.user)
    except CommentError as error:
        notice, level = f"Not changed: {error}", messages.ERROR
    else:
        notice, level = ("Thread resolved." if resolve else "Thread reopened."), messages.SUCCESS
    if is_htmx(request):
        return render_panel(
            request, report=report, subject=subject, notice=notice, notice_is_error=level == messages.ERROR
        )
    messages.add_message(request, level, notice)
    return redirect(f"{subjects.page_url(report.slug, subject)}?threads=all#comment-{thread.pk}")


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
        subject = subjects.of(thread)
        thread.subject_kind = subjects.NOUNS[subjects.kind_of(subject)]
        thread.subject_label = subjects.title(subject)
        thread.subject_url = f"{subjects.page_url(report.slug, subject)}?threads=all#comment-{thread.pk}"
    context.update(form=form, threads=threads, subject_type=subject_type)
    if is_htmx(request):
        return render(request, "reviewapp/comments/discussion.html#discussion-results", context)
    overall = context["overall"]
    if overall:
        context.update(overall=overall, **panel_context(request, report=report, scope=scope, subject=overall))
    return render(request, "reviewapp/comments/discussion.html", context)


urlpatterns = [
    path("reports/<slug:slug>/discussion/", discussion, name="discussion"),
    *subjects.url_patterns("comments/new/", comment_post, "comment_post"),
    path("reports/<slug:slug>/comments/<int:comment_id>/reply/", comment_reply, name="comment_reply"),
    path("reports/<slug:slug>/comments/<int:comment_id>/edit/", comment_edit, name="comment_edit"),
    path("reports/<slug:slug>/comments/<int:comment_id>/resolve/", comment_resolve, name="comment_resolve"),
    path("reports/<slug:slug>/comments/<int:comment_id>/reopen/", comment_reopen, name="comment_reopen"),
]
