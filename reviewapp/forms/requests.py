"""Forms for information requests. Choices (teams, evidence) come from what the person can
see, so a forged id from another report or out of scope is an invalid choice, like one
that does not exist."""

import datetime

from django import forms
from django.db.models import Case, Q, Value, When
from django.forms.utils import ErrorDict

from evidence.enums import EvidenceKind, Priority, RequestState
from evidence.models import ChainStep, InformationRequest
from evidence.selectors import evidence_visible_to
from evidence.services.requests import teams_for_subject, working_days_after
from pathways.enums import Sensitivity
from pathways.models import Claim, Pathway, Team
from pathways.selectors import claims_visible_to
from pathways.text import has_span_markup, span_errors
from reviewapp.forms.common import EVIDENCE_FOUND_LIMIT, every_word_in


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def visible_teams_for_subject(subject, *, user):
    """The teams a request about `subject` may go to, narrowed to the owners of claims and
    evidence this person can see (an external reviewer is not offered a team whose only
    link is an internal claim); for a chain step, its owner and the owners of its evidence
    they see."""
    report_id = subject.report_id
    visible_claims = claims_visible_to(user).filter(report_id=report_id)
    visible_evidence = evidence_visible_to(user).filter(report_id=report_id)
    if isinstance(subject, Pathway):
        visible_claims = visible_claims.filter(pathway_links__pathway=subject)
        return teams_for_subject(subject).filter(id__in=visible_claims.values("owner_team_id"))
    if isinstance(subject, Claim):
        owners = visible_evidence.filter(claim_links__claim=subject).values("owner_team_id")
    elif isinstance(subject, ChainStep):
        owners = visible_evidence.filter(chain_step_links__step=subject).values("owner_team_id")
    else:
        owners = visible_claims.filter(evidence_links__evidence=subject).values("owner_team_id")
    return teams_for_subject(subject).filter(Q(pk=subject.owner_team_id) | Q(id__in=owners))


class RequestFileForm(forms.Form):
    prefix = "request"
    title = forms.CharField(max_length=200, help_text="One line the team will see in its inbox.")
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown. Say what you need and why it matters."
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), to_field_name="slug", label="Owning team", empty_label=None
    )
    due_date = forms.DateField(widget=DateInput, label="Due date")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)

    def __init__(self, *args, subject, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        teams = visible_teams_for_subject(subject, user=user).order_by("name")
        self.fields["team"].queryset = teams  # what a posted slug is checked against
        # Fetched once for the page; the field would otherwise query again to render.
        options = list(teams)
        self.has_teams = bool(options)
        self.fields["team"].choices = [(team.slug, team.name) for team in options]
        if not isinstance(subject, Pathway):
            self.fields["team"].initial = subject.owner_team.slug
        self.fields["team"].help_text = (
            "Defaults to the owner of what you are asking about."
            if not isinstance(subject, Pathway)
            else "Teams owning the claims this pathway rests on."
        )
        self.fields["due_date"].initial = working_days_after(today)
        self.fields["due_date"].help_text = "Five working days from today unless you choose otherwise."

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date < self.today:
            raise forms.ValidationError("Choose today or a later date.")
        return due_date


class VersionedForm(forms.Form):
    """Carries the version of the request the person started from, so that a stale
    transition is refused rather than applied over someone else's."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, information_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.information_request = information_request
        if not self.is_bound:
            self.fields["version"].initial = information_request.version

    def fresh(self):
        """The same form with the person's text kept, carrying the request's current version
        (after a conflict, so that sending again is a deliberate second step)."""
        data = self.data.copy()
        data[self.add_prefix("version")] = self.information_request.version
        return type(self)(data, information_request=self.information_request, **self.extra_kwargs())

    def extra_kwargs(self) -> dict:
        return {}


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, evidence):
        level = "" if evidence.sensitivity == "public" else f" ({evidence.get_sensitivity_display().lower()})"
        return f"{evidence.title}{level}"


class OfferedEvidence:
    """The answer form's evidence choices as rendered: the items ticked, and either those
    a search found or (without a search) those of what the request is about; never every
    item of the report. Read when the form is drawn, in one query; `more` says whether
    more matched than are shown."""

    def __init__(self, form):
        self.form = form
        self._choices = None
        self.more = False

    def __iter__(self):
        if self._choices is None:
            self._choices = self._read()
        return iter(self._choices)

    def _read(self) -> list:
        form = self.form
        visible = form.fields["evidence"].queryset
        ticked = [str(slug) for slug in form["evidence"].value() or []]
        search = form.evidence_search_text()
        wanted = every_word_in(search, "title", "slug") if search else about_subject(form.information_request)
        rows = list(
            visible.filter(Q(slug__in=ticked) | wanted)
            .distinct()
            .annotate(ticked=Case(When(slug__in=ticked, then=Value(0)), default=Value(1)))
            .order_by("ticked", "position", "id")[: len(ticked) + EVIDENCE_FOUND_LIMIT + 1]
        )
        offered = [row for row in rows if row.ticked == 0] + [row for row in rows if row.ticked][:EVIDENCE_FOUND_LIMIT]
        self.more = len(rows) > len(offered)
        field = form.fields["evidence"]
        return [(evidence.slug, field.label_from_instance(evidence)) for evidence in offered]


def about_subject(information_request) -> Q:
    """The evidence items of what a request is about: the claim's, the item itself, a chain
    step's, or the evidence of the claims a pathway rests on."""
    if information_request.claim_id:
        return Q(claim_links__claim_id=information_request.claim_id)
    if information_request.evidence_id:
        return Q(pk=information_request.evidence_id)
    if information_request.chain_step_id:
        return Q(chain_step_links__step_id=information_request.chain_step_id)
    return Q(claim_links__claim__pathway_links__pathway_id=information_request.pathway_id)


class RequestAnswerForm(VersionedForm):
    prefix = "answer"
    text = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. Mark passages the requester must not read with [[internal]]…[[/internal]].",
    )
    evidence = EvidenceChoiceField(
        queryset=None,
        required=False,
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        label="Link evidence from this report",
    )
    evidence_search = forms.CharField(
        label="Find evidence to link",
        required=False,
        max_length=200,
        help_text="Words of its title or slug. Finding sends nothing: what you have typed stays.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    new_evidence_title = forms.CharField(
        label="Or add a new evidence item: title",
        required=False,
        max_length=300,
        help_text="Leave empty unless the answer rests on an artefact the report does not list yet.",
    )
    new_evidence_kind = forms.ChoiceField(
        label="Kind", choices=EvidenceKind.choices, initial=EvidenceKind.DOCUMENT, required=False
    )
    new_evidence_sensitivity = forms.ChoiceField(
        label="Sensitivity",
        choices=Sensitivity.choices,
        initial=Sensitivity.INTERNAL,
        required=False,
        help_text="Reviewer-level reaches every reviewer organisation; internal stays with staff.",
    )
    new_evidence_summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Markdown."
    )
    new_evidence_source = forms.CharField(
        label="Source", required=False, max_length=500, help_text="Where the full artefact lives."
    )

    def __init__(self, *args, information_request, user, finding: bool = False, **kwargs):
        self.user = user
        self.finding = finding
        super().__init__(*args, information_request=information_request, **kwargs)
        # What a posted slug is checked against: only the slugs posted are read.
        self.fields["evidence"].queryset = evidence_visible_to(user).filter(report_id=information_request.report_id)
        self.offered_evidence = OfferedEvidence(self)
        self.fields["evidence"].widget.choices = self.offered_evidence

    def evidence_search_text(self) -> str:
        return (self.data.get(self.add_prefix("evidence_search"), "") if self.is_bound else "").strip()[:200]

    def full_clean(self):
        """A search for evidence sends nothing, so it asks nothing of the other fields."""
        if self.finding:
            self._errors, self.cleaned_data = ErrorDict(), {}
            return
        super().full_clean()

    def clean(self):
        cleaned = super().clean()
        title = (cleaned.get("new_evidence_title") or "").strip()
        if not title and (
            (cleaned.get("new_evidence_summary") or "").strip() or (cleaned.get("new_evidence_source") or "").strip()
        ):
            self.add_error("new_evidence_title", "Give the new evidence item a title, or clear its summary and source.")
        for problem in span_errors(cleaned.get("new_evidence_summary") or ""):
            self.add_error("new_evidence_summary", problem)
        for name in ("new_evidence_title", "new_evidence_source"):
            if has_span_markup(cleaned.get(name) or ""):
                self.add_error(name, "Redaction spans are only allowed in the summary.")
        return cleaned

    def new_evidence(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("new_evidence_title", "").strip():
            return None
        return {
            "title": data["new_evidence_title"].strip(),
            "kind": data.get("new_evidence_kind") or EvidenceKind.DOCUMENT,
            # Unless the team says otherwise, a new item is internal: nothing is shown to outsiders by default.
            "sensitivity": data.get("new_evidence_sensitivity") or Sensitivity.INTERNAL,
            "summary": data.get("new_evidence_summary", ""),
            "source": data.get("new_evidence_source", "").strip(),
        }

    def extra_kwargs(self) -> dict:
        return {"user": self.user}


class RequestFollowUpForm(VersionedForm):
    prefix = "follow_up"
    text = forms.CharField(
        label="Follow-up", widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown. What do you still need?"
    )


class RequestCloseForm(VersionedForm):
    prefix = "close"
    text = forms.CharField(
        label="Closing note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. For example, what the answer settled.",
    )
    confirm = forms.BooleanField(
        label="I understand that closing ends this request: nobody can answer or follow up afterwards.",
        error_messages={"required": "Tick the box to confirm that you want to close this request."},
    )


class RequestDeclineForm(VersionedForm):
    prefix = "decline"
    reason = forms.CharField(
        label="Reason for declining",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown. The requesting organisation reads this.",
    )
    confirm = forms.BooleanField(
        label="I understand that declining ends this request: it cannot be answered or followed up afterwards.",
        error_messages={"required": "Tick the box to confirm that you want to decline this request."},
    )


STATE_FILTER_CHOICES = [("", "Any state"), *RequestState.choices, ("overdue", "Overdue")]


class RequestFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=STATE_FILTER_CHOICES)
    team = forms.ModelChoiceField(
        required=False, queryset=Team.objects.none(), to_field_name="slug", empty_label="Any team"
    )

    def __init__(self, *args, information_requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(id__in=information_requests.values("team_id"))

    def filter(self, information_requests, *, today):
        data = self.cleaned_data
        if data.get("state") == "overdue":
            information_requests = information_requests.filter(InformationRequest.overdue_on(today))
        elif data.get("state"):
            information_requests = information_requests.filter(state=data["state"])
        if data.get("team"):
            information_requests = information_requests.filter(team=data["team"])
        return information_requests
