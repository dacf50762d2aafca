"""The People page of a report: who has access, in what role, how far and when they were last
seen; and, for the report's authors and leadership, giving access, changing an external
reviewer's pathways and taking access away, each change in the audit log. Internal staff
who see the report but do not run it get 403; external reviewers 404, as if there were no
such page. Reads and writes go through `pathways.people`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from evidence.selectors import reading_teams
from pathways.enums import Role
from pathways.invitations import (
    InvitationInvalid,
    invitation_accept,
    invitation_create,
    invitation_in_report,
    invitation_open,
    invitation_withdraw,
    open_invitations,
)
from pathways.models import Invitation, User
from pathways.people import (
    AccessError,
    access_grant,
    access_revoke,
    groups_granting,
    report_groups,
    report_people,
)
from reviewapp.forms.people import AcceptForm, GrantForm, InviteForm, ScopeForm
from reviewapp.pages import reader_required, report_page, require


def _sentence(error: AccessError) -> str:
    """A service's refusal ("the author role is …") as a sentence for the form."""
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def _people_page(request, slug) -> dict:
    context = report_page(request, slug)
    if not context["scope"].may_read_internal_pages:
        raise Http404("No such page.")
    require(context["scope"].may_manage_people, "Only the report's authors and leadership manage who has access.")
    return context


def _render(request, context, *, grant_form=None, invite_form=None, status=200):
    report = context["report"]
    people = report_people(report)
    for person in people:
        if person.is_external_reviewer:
            chosen = [pathway.pk for pathway in person.pathways]
            person.scope_form = ScopeForm(pathways=context["pathways"], initial={"pathways": chosen})
    context.update(
        people=people,
        groups=report_groups(report),
        teams=list(reading_teams(report).prefetch_related("members")),
        grant_form=grant_form or GrantForm(pathways=context["pathways"]),
        invite_form=invite_form or InviteForm(pathways=context["pathways"], staff=request.user.is_staff),
        invitations=open_invitations(report),
        now=timezone.now(),
    )
    return render(request, "reviewapp/people/people.html", context, status=status)


@require_GET
@reader_required
def people(request, slug):
    return _render(request, _people_page(request, slug))


@require_POST
@reader_required
def people_grant(request, slug):
    context = _people_page(request, slug)
    form = GrantForm(request.POST, pathways=context["pathways"])
    if form.is_valid():
        data = form.cleaned_data
        try:
            access_grant(
                report=context["report"],
                user=data["person"],
                role=data["role"],
                org_name=data["organisation"].strip(),
                pathway_slugs=[pathway.slug for pathway in data["pathways"]],
                actor=request.user,
            )
        except AccessError as error:
            form.add_error(None, _sentence(error))
        else:
            messages.success(request, f"{data['person']} is now {Role(data['role']).label.lower()} on this report.")
            return redirect("people", slug)
    return _render(request, context, grant_form=form, status=400)


def _granted_person(context, pk) -> User:
    """A person granted on this report (404 for any other id: forged, or not theirs to see)."""
    for person in report_people(context["report"]):
        if person.user.pk == pk:
            return person.user
    raise Http404("No such person on this report.")


@require_POST
@reader_required
def people_scope(request, slug, pk):
    context = _people_page(request, slug)
    person = _granted_person(context, pk)
    form = ScopeForm(request.POST, pathways=context["pathways"])
    if not person.is_external or person.organisation is None:
        messages.error(request, "Only an external reviewer's pathways can be chosen.")
    elif form.is_valid():
        chosen = form.cleaned_data["pathways"]
        try:
            access_grant(
                report=context["report"],
                user=person,
                role=Role.EXTERNAL_REVIEWER,
                org_name=person.organisation.name,
                pathway_slugs=[pathway.slug for pathway in chosen],
                actor=request.user,
            )
        except AccessError as error:
            messages.error(request, f"Nothing changed: {error}.")
        else:
            reach = ", ".join(pathway.title for pathway in chosen) if chosen else "the whole report"
            messages.success(request, f"{person} now reads {reach}.")
    else:
        messages.error(request, "That pathway is not in this report: nothing changed.")
    return redirect("people", slug)


@require_POST
@reader_required
def people_revoke(request, slug, pk):
    context = _people_page(request, slug)
    person = _granted_person(context, pk)
    if person.pk == request.user.pk:
        messages.error(request, "You cannot take away your own access: ask another author or leader.")
    else:
        access_revoke(report=context["report"], user=person, actor=request.user)
        message = f"{person} no longer has access to this report (from their next page)."
        groups = groups_granting(report=context["report"], user=person)
        if groups:
            message += f" Their group{'s' if len(groups) > 1 else ''} {', '.join(groups)} still give access: see below."
        messages.success(request, message)
    return redirect("people", slug)


urlpatterns = [
    path("reports/<slug:slug>/people/", people, name="people"),
    path("reports/<slug:slug>/people/grant/", people_grant, name="people_grant"),
    path("reports/<slug:slug>/people/<int:pk>/scope/", people_scope, name="people_scope"),
    path("reports/<slug:slug>/people/<int:pk>/revoke/", people_revoke, name="people_revoke"),
]


@require_POST
@reader_required
def people_invite(request, slug):
    context = _people_page(request, slug)
    report = context["report"]
    form = InviteForm(request.POST, pathways=context["pathways"], staff=request.user.is_staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation, token = invitation_create(
                report=report,
                inviter=request.user,
                email=data["email"],
                name=data["name"],
                clearance=data["clearance"],
                role=data["role"],
                org_name=data["organisation"].strip(),
                pathways=list(data["pathways"]),
            )
        except AccessError as error:
            form.add_error(None, _sentence(error))
        else:
            transaction.on_commit(lambda: invitation_send(invitation, token))
            messages.success(request, f"An invitation is on its way to {invitation.email}.")
            return redirect("people", slug)
    return _render(request, context, invite_form=form, status=400)


@require_POST
@reader_required
def invitation_withdraw_view(request, slug, pk):
    context = _people_page(request, slug)
    invitation = invitation_in_report(context["report"], pk)
    if invitation_withdraw(invitation=invitation, actor=request.user):
        messages.success(request, f"The invitation to {invitation.email} is withdrawn: its link no longer works.")
    else:
        messages.error(request, "That invitation was already accepted or withdrawn.")
    return redirect("people", slug)


def invitation_send(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("invitation_accept", args=[invitation.report.slug, token])
    body = render_to_string(
        "reviewapp/people/invitation_email.txt",
        {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS},
    )
    send_mail(f"Invitation to review: {invitation.report.title}", body, None, [invitation.email])


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, slug, token):
    """The invited person's page: no sign-in needed; one answer (404) for every link that
    does not open an invitation, whatever the reason."""
    try:
        invitation = invitation_open(report_slug=slug, token=token)
    except InvitationInvalid:
        return render(request, "reviewapp/people/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        return render(request, "reviewapp/people/invitation_accept.html", {"invitation": invitation, "signed_in": True})
    form = AcceptForm(request.POST or None, email=invitation.email, initial={"name": invitation.name})
    if request.method == "POST" and form.is_valid():
        try:
            person = invitation_accept(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                name=form.cleaned_data["name"],
            )
        except InvitationInvalid:
            return render(request, "reviewapp/people/invitation_invalid.html", status=404)
        except IntegrityError:  # the username was taken between the check and the save
            form.add_error("username", "That username is taken: choose another.")
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome. You can now read {invitation.report.title}.")
            return redirect("report_detail", slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "reviewapp/people/invitation_accept.html", {"invitation": invitation, "form": form}, status=status
    )


urlpatterns += [
    path("reports/<slug:slug>/people/invite/", people_invite, name="people_invite"),
    path("reports/<slug:slug>/invitations/<int:pk>/withdraw/", invitation_withdraw_view, name="invitation_withdraw"),
    path("reports/<slug:slug>/invitations/<str:token>/", invitation_accept_view, name="invitation_accept"),
]
