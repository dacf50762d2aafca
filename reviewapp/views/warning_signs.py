"""Warning signs of a report, for the internal staff who run its review (authors,
leadership, stress-testers; anyone else who sees the report gets 403): the list, the form
that reports one, a sign's page, and its triage — confirmed, which re-opens what rested on
its claims, or dismissed with a reason (reviewapp/services/warning_signs.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from monitoring.selectors import sign_in_report, signs_of
from monitoring.services import SignFields, SignInvalid, warning_sign_report
from pathways.selectors import claims_visible_to
from reviewapp.forms.warning_signs import DismissForm, WarningSignForm
from reviewapp.pages import reader_required, report_page, require
from reviewapp.services.warning_signs import TriageRefused, warning_sign_confirm, warning_sign_dismiss

REFUSED = "Warning signs are for the report's authors, leadership and stress-testers."


def _handlers_page(request, slug) -> dict:
    context = report_page(request, slug)
    require(context["scope"].handles_warning_signs, REFUSED)
    return context


@require_http_methods(["GET", "POST"])
@reader_required
def warning_sign_list(request, slug):
    """The report's signs, newest first, and the form to report one."""
    context = _handlers_page(request, slug)
    report = context["report"]
    claims = list(claims_visible_to(request.access).filter(report=report).order_by("position", "id"))
    form = WarningSignForm(request.POST or None, claims=claims)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = SignFields(**{**data, "claims": tuple(data["claims"])})
        try:
            sign, _ = warning_sign_report(report=report, fields=fields, reported_by=request.user)
        except SignInvalid as invalid:
            form.add_error(invalid.field if invalid.field in form.fields else None, invalid.message)
        else:
            messages.success(request, f"Reported “{sign.title}”. It waits for triage below.")
            return redirect("warning_sign_detail", slug=report.slug, sign_id=sign.pk)
    context.update(signs=list(signs_of(report)), form=form)
    return render(request, "reviewapp/warning_signs/list.html", context)


@require_GET
@reader_required
def warning_sign_detail(request, slug, sign_id):
    return _detail(request, _handlers_page(request, slug), sign_id)


def _detail(request, context, sign_id, *, dismiss=None, error=""):
    sign = sign_in_report(context["report"], sign_id)
    context.update(
        sign=sign,
        claims=list(sign.claims.order_by("position", "id")),
        reopenings=list(
            sign.reopenings.select_related("conclusion__pathway").order_by("conclusion__pathway__position")
        ),
        dismiss=dismiss or DismissForm(),
        error=error,
    )
    return render(request, "reviewapp/warning_signs/detail.html", context)


@require_POST
@reader_required
def warning_sign_triage(request, slug, sign_id):
    context = _handlers_page(request, slug)
    sign = sign_in_report(context["report"], sign_id)
    action, dismiss = request.POST.get("action"), None
    try:
        if action == "confirm":
            reopened = warning_sign_confirm(sign=sign, person=request.user)
            messages.success(
                request,
                f"Confirmed. {len(reopened)} pathway{'s' if len(reopened) != 1 else ''} re-opened; the people "
                "reviewing them are told.",
            )
        elif action == "dismiss":
            dismiss = DismissForm(request.POST)
            if not dismiss.is_valid():
                return _detail(request, context, sign_id, dismiss=dismiss)
            warning_sign_dismiss(sign=sign, person=request.user, reason=dismiss.cleaned_data["reason"])
            messages.success(request, "Dismissed, with your reason.")
        else:
            return _detail(request, context, sign_id, error="Choose to confirm the sign or to dismiss it.")
    except TriageRefused as refused:
        return _detail(request, context, sign_id, dismiss=dismiss, error=str(refused))
    return redirect("warning_sign_detail", slug=slug, sign_id=sign.pk)


urlpatterns = [
    path("reports/<slug:slug>/warning-signs/", warning_sign_list, name="warning_sign_list"),
    path("reports/<slug:slug>/warning-signs/<int:sign_id>/", warning_sign_detail, name="warning_sign_detail"),
    path("reports/<slug:slug>/warning-signs/<int:sign_id>/triage/", warning_sign_triage, name="warning_sign_triage"),
]
