"""Forms of the People page: who is given access to a report, in what role and how far.
They check what was typed; whether the grant may happen (clearance, organisation) is
decided by `pathways.people.access_grant`."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import Q

from pathways.enums import GRANTABLE_ROLES, REVIEWER_ROLES, Clearance, Role
from pathways.models import Pathway, User

ROLE_HELP = {
    Role.AUTHOR: "edits the report and sees all of it",
    Role.STRESS_TESTER: "internal reviewer: comments, asks, records verdicts for their team",
    Role.EXTERNAL_REVIEWER: "outside reviewer: reads up to reviewer level, whole report or chosen pathways",
    Role.LEADERSHIP: "watches sign-off status and signs off",
}


class PathwayScopeField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, pathways: list[Pathway], **kwargs):
        super().__init__(queryset=Pathway.objects.filter(pk__in=[pathway.pk for pathway in pathways]), **kwargs)
        self.choices = [(pathway.pk, pathway.title) for pathway in pathways]


class RoleForm(forms.Form):
    """A role on the report, the organisation a reviewer acts for and, for an external
    reviewer, the pathways they are limited to: what giving access and inviting share."""

    role = forms.ChoiceField(
        label="Role",
        choices=[(role.value, f"{role.label}: {ROLE_HELP[role]}") for role in GRANTABLE_ROLES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role."},
    )
    organisation = forms.CharField(
        label="Organisation they review for",
        max_length=200,
        required=False,
        help_text="Stress-testers and external reviewers only: the team or organisation whose verdicts they record.",
    )

    def __init__(self, *args, pathways: list[Pathway], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathways"] = PathwayScopeField(
            pathways=pathways,
            label="Limit to these pathways",
            required=False,
            help_text="External reviewers only. None ticked: the whole report.",
        )

    def clean(self):
        """What a role asks for: an organisation for reviewers only, pathways for external ones only."""
        data = super().clean()
        role = data.get("role")
        if role is None:
            return data
        role = Role(role)
        if role in REVIEWER_ROLES and not data.get("organisation", "").strip():
            self.add_error("organisation", f"A {role.label.lower()} reviews for an organisation: name it.")
        if role not in REVIEWER_ROLES and data.get("organisation", "").strip():
            self.add_error("organisation", f"Only reviewers act for an organisation, not a {role.label.lower()}.")
        if data.get("pathways") and role != Role.EXTERNAL_REVIEWER:
            self.add_error("pathways", "Only external reviewers are limited to some pathways.")
        return data


class GrantForm(RoleForm):
    field_order = ["person", "role", "organisation", "pathways"]

    person = forms.CharField(
        label="Person",
        max_length=254,
        help_text="Their username or email address. They need an account already.",
        error_messages={"required": "Say who: a username or an email address."},
    )

    def clean_person(self) -> User:
        typed = self.cleaned_data["person"].strip()
        found = list(User.objects.filter(Q(username=typed) | Q(email__iexact=typed), is_active=True)[:2])
        exact = [person for person in found if person.username == typed]
        if exact:
            return exact[0]
        if len(found) > 1:
            raise forms.ValidationError("More than one account uses that address: give the username.")
        if not found:
            raise forms.ValidationError("No active account has that username or address.")
        return found[0]


class ScopeForm(forms.Form):
    """An external reviewer's pathways on the report, changed in place."""

    def __init__(self, *args, pathways: list[Pathway], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathways"] = PathwayScopeField(
            pathways=pathways, label="Pathways", required=False, help_text="None ticked: the whole report."
        )


class InviteForm(RoleForm):
    """Someone new, by email. Internal clearance is offered to staff only."""

    field_order = ["email", "name", "clearance", "role", "organisation", "pathways"]

    email = forms.EmailField(label="Email address", error_messages={"required": "Give their email address."})
    name = forms.CharField(label="Name", max_length=150, required=False)
    clearance = forms.ChoiceField(
        label="Clearance",
        choices=Clearance.choices,
        initial=Clearance.EXTERNAL,
        widget=forms.RadioSelect,
        help_text="External people read up to reviewer level. Only staff give internal clearance.",
    )

    def __init__(self, *args, pathways: list[Pathway], staff: bool, **kwargs):
        super().__init__(*args, pathways=pathways, **kwargs)
        if not staff:  # only external people can be invited: as external reviewers
            self.fields["clearance"].choices = [(Clearance.EXTERNAL, Clearance.EXTERNAL.label)]
            reviewer = Role.EXTERNAL_REVIEWER
            self.fields["role"].choices = [(reviewer.value, f"{reviewer.label}: {ROLE_HELP[reviewer]}")]
            self.fields["role"].initial = reviewer.value


class AcceptForm(forms.Form):
    """What the invited person chooses: their username, their name and a password."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only; you sign in with it.",
    )
    name = forms.CharField(label="Your name", max_length=150, required=False)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(render_value=False))
    password2 = forms.CharField(label="The same again", strip=False, widget=forms.PasswordInput(render_value=False))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another.")
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            probe = User(username=data.get("username", ""), email=self.email)
            try:
                validate_password(first, user=probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
