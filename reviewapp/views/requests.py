"""Information requests: filing, the team inbox, answering, follow-up, close and decline.

Every read goes through `information_requests_visible_to` (a request out of scope answers
404); a person who can see a request but may not take an action gets 403. Writes are the
services of evidence.services.requests; a refused transition (stale version, wrong state)
changes nothing and hands the person's text back in the form.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evidence.models import RequestMessage
from evidence.selectors import evidence_visible_to, information_request_for_user, step_for_user
from evidence.services.requests import (
    ANSWERABLE,
    CLOSABLE,
    DECLINABLE,
    FOLLOWABLE,
    RequestConflict,
    RequestInvalid,
    RequestNotAllowed,
    information_request_close,
)
from reviewapp import subjects
from reviewapp.forms.requests import (
    RequestAnswerForm,
    RequestCloseForm,
    RequestDeclineForm,
    RequestFileForm,
    RequestFilterForm,
    RequestFollowUpForm,
)
from reviewapp.pages import is_htmx, paginate, reader_required, report_page, require
from reviewapp.panels.requests import PANEL, local_today, request_panel, visible_requests
from reviewapp.selectors.requests import REQUESTS_PER_PAGE, with_due_dates
from reviewapp.services import requests as review_requests

DETAIL = "reviewapp/requests/detail.html"


# ---------------------------------------------------------------------- pages


def _scope_rule(scope) -> str:
    if scope.oversees_requests:
        return "Every request on this report about something you can see."
    if scope.organisation:
        return f"The requests of {scope.organisation.name} and of any team you belong to."
    return "The requests addressed to your teams."


@require_GET
@reader_required
def request_list(request, slug):
    context = report_page(request, slug)
    report = context["report"]
    today = local_today()
    visible = visible_requests(request, report)
    form = RequestFilterForm(request.GET or None, information_requests=visible)
    if form.is_valid():
        visible = form.filter(visible, today=today)
    elif form.is_bound:
        visible = visible.none()
    pages = paginate(request, visible.order_by("due_date", "id"), REQUESTS_PER_PAGE)
    context.update(
        form=form,
        information_requests=with_due_dates(pages["page"].object_list, today),
        scope_rule=_scope_rule(context["scope"]),
        **pages,
    )
    template = "reviewapp/requests/list.html"
    if is_htmx(request):
        template += "#request-results"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@reader_required
def request_file(request, slug, kind, key):
    """File a request about a pathway, claim or evidence item: the form sits in the page's
    right-hand panel (htmx re-renders the panel); without htmx this is its own page."""
    context = report_page(request, slug)
    subject = subjects.subject_for(request.access, context["report"], kind, key, pathways=context["pathways"])
    return _file(request, context, subject)


@require_http_methods(["GET", "POST"])
@reader_required
def request_file_step(request, slug, chain_slug, step_id):
    """File a request about a step of a detection chain (its own page)."""
    context = report_page(request, slug)
    return _file(request, context, step_for_user(request.access, context["report"], chain_slug, step_id))


def _file(request, context, subject):
    report, scope = context["report"], context["scope"]
    require(scope.may_file_requests, "Only reviewers acting for a reviewer organisation file information requests.")
    today = local_today()
    form = RequestFileForm(request.POST or None, subject=subject, user=request.access, today=today)
    notice = ""
    if request.method == "POST" and form.is_valid():
        try:
            information_request = review_requests.request_file(
                report=report, requester=request.user, subject=subject, today=today, **form.cleaned_data
            )
        except RequestNotAllowed as refusal:
            raise PermissionDenied(str(refusal))
        except RequestInvalid as refusal:
            form.add_error(None, str(refusal))
        else:
            notice = f"Request sent to {information_request.team.name}, due {information_request.due_date:%-d %B %Y}."
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect("request_detail", slug=report.slug, pk=information_request.pk)
            form = None
    if is_htmx(request):
        panel = request_panel(request, report=report, scope=scope, subject=subject, form=form, notice=notice)
        return render(request, f"{PANEL}#request-panel", {**context, "request_panel": panel})
    context.update(
        subject=subject,
        subject_label=subjects.label(subject),
        subject_url=subjects.page_url(report.slug, subject),
        file_url=subjects.url("request_file", report.slug, subject),
        form=form,
    )
    return render(request, "reviewapp/requests/file.html", context)


def _detail_context(request, information_request, *, bound_form=None, error="", notice="") -> dict:
    """The thread and the forms for the actions this person may take now. `bound_form`, the
    form the person just sent, is shown whatever the state, so their text is never lost."""
    access = request.access
    scope = access.on(information_request.report_id)
    thread = RequestMessage.objects.filter(request=information_request).select_related("author__organisation")
    thread = thread.prefetch_related(
        Prefetch(
            "evidence", queryset=evidence_visible_to(access).order_by("position", "id"), to_attr="visible_evidence"
        )
    )
    member = scope.may_answer(information_request)
    requester_side = scope.may_act_as_requester(information_request)
    state = information_request.state
    forms = dict.fromkeys(FORM_NAMES.values())
    if member and state in ANSWERABLE:
        forms["answer_form"] = RequestAnswerForm(information_request=information_request, user=access)
    if member and state in DECLINABLE:
        forms["decline_form"] = RequestDeclineForm(information_request=information_request)
    if requester_side and state in FOLLOWABLE:
        forms["follow_up_form"] = RequestFollowUpForm(information_request=information_request)
    if requester_side and state in CLOSABLE:
        forms["close_form"] = RequestCloseForm(information_request=information_request)
    if bound_form is not None:
        forms[FORM_NAMES[type(bound_form)]] = bound_form
    (information_request,) = with_due_dates([information_request], local_today())
    return {
        "information_request": information_request,
        "thread": thread,
        "is_team_member": member,
        "is_requester_side": requester_side,
        "action_error": error,
        "action_notice": notice,
        **forms,
    }


@require_GET
@reader_required
def request_detail(request, slug, pk):
    context = report_page(request, slug)
    information_request = information_request_for_user(request.access, context["report"], pk)
    context.update(_detail_context(request, information_request))
    template = DETAIL + ("#request-body" if is_htmx(request) else "")
    return render(request, template, context)


# ---------------------------------------------------------------- transitions


def _answer(request, information_request, form):
    review_requests.request_answer(
        information_request=information_request,
        answerer=request.user,
        text=form.cleaned_data["text"],
        evidence_items=form.cleaned_data["evidence"],
        new_evidence=form.new_evidence(),
        version=form.cleaned_data["version"],
    )
    return "Answer sent."


def _follow_up(request, information_request, form):
    review_requests.request_follow_up(
        information_request=information_request,
        author=request.user,
        text=form.cleaned_data["text"],
        version=form.cleaned_data["version"],
    )
    return f"Follow-up sent to {information_request.team.name}."


def _close(request, information_request, form):
    information_request_close(
        information_request=information_request,
        closer=request.user,
        text=form.cleaned_data["text"],
        version=form.cleaned_data["version"],
    )
    return "Request closed."


def _decline(request, information_request, form):
    review_requests.request_decline(
        information_request=information_request,
        decliner=request.user,
        reason=form.cleaned_data["reason"],
        version=form.cleaned_data["version"],
    )
    return f"Request declined; {information_request.organisation.name} will read your reason."


FORM_NAMES = {
    RequestAnswerForm: "answer_form",
    RequestFollowUpForm: "follow_up_form",
    RequestCloseForm: "close_form",
    RequestDeclineForm: "decline_form",
}


def _transition(request, slug, pk, *, form_class, action, team_side: bool):
    context = report_page(request, slug)
    information_request = information_request_for_user(request.access, context["report"], pk)
    scope = context["scope"]
    if team_side:
        require(
            scope.may_answer(information_request),
            f"Only members of {information_request.team.name} act on this request.",
        )
    else:
        require(
            scope.may_act_as_requester(information_request),
            f"Only {information_request.organisation.name} acts on this request.",
        )
    finding = form_class is RequestAnswerForm and f"{form_class.prefix}-find_evidence" in request.POST
    extra = {"user": request.access, "finding": finding} if form_class is RequestAnswerForm else {}
    form = form_class(request.POST, information_request=information_request, **extra)
    status, error, notice, bound_form = 200, "", "", form
    if finding:
        pass  # an evidence search: the form comes back as typed, with what was found
    elif form.is_valid():
        try:
            notice = action(request, information_request, form)
        except RequestNotAllowed as refusal:
            raise PermissionDenied(str(refusal))
        except (RequestConflict, RequestInvalid) as refusal:
            information_request = information_request_for_user(request.access, context["report"], pk)
            form.information_request = information_request
            bound_form, error, status = form.fresh(), str(refusal), 409
        else:
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect("request_detail", slug=slug, pk=pk)
            information_request = information_request_for_user(request.access, context["report"], pk)
            bound_form = None
    else:
        error = "Nothing was sent: see what needs fixing below."
    context.update(_detail_context(request, information_request, bound_form=bound_form, error=error, notice=notice))
    if is_htmx(request):
        # htmx swaps only successful responses: the refusal is in the fragment itself.
        return render(request, f"{DETAIL}#request-body", context)
    return render(request, DETAIL, context, status=status)


@require_POST
@reader_required
def request_answer(request, slug, pk):
    return _transition(request, slug, pk, form_class=RequestAnswerForm, action=_answer, team_side=True)


@require_POST
@reader_required
def request_follow_up(request, slug, pk):
    return _transition(request, slug, pk, form_class=RequestFollowUpForm, action=_follow_up, team_side=False)


@require_POST
@reader_required
def request_close(request, slug, pk):
    return _transition(request, slug, pk, form_class=RequestCloseForm, action=_close, team_side=False)


@require_POST
@reader_required
def request_decline(request, slug, pk):
    return _transition(request, slug, pk, form_class=RequestDeclineForm, action=_decline, team_side=True)


_REQUEST = "reports/<slug:slug>/requests/<int:pk>/"
urlpatterns = [
    path("reports/<slug:slug>/requests/", request_list, name="request_list"),
    path(_REQUEST, request_detail, name="request_detail"),
    path(_REQUEST + "answer/", request_answer, name="request_answer"),
    path(_REQUEST + "follow-up/", request_follow_up, name="request_follow_up"),
    path(_REQUEST + "close/", request_close, name="request_close"),
    path(_REQUEST + "decline/", request_decline, name="request_decline"),
    *subjects.url_patterns("requests/new/", request_file, "request_file", kinds=("pathway", "claim", "evidence")),
    path(
        "reports/<slug:slug>/detection-chains/<slug:chain_slug>/steps/<int:step_id>/requests/new/",
        request_file_step,
        name="request_file_step",
    ),
]
