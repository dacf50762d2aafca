"""The form by which internal staff report a warning sign, and the dismissal's reason.
The service checks every field again (monitoring.services)."""

from django import forms

from monitoring.enums import Severity, SignSensitivity


class WarningSignForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Give the sign a title."})
    description = forms.CharField(
        label="What was observed",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe what was observed."},
    )
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices, widget=forms.RadioSelect)
    observed_at = forms.DateTimeField(
        label="Observed at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="When it was seen, in the server's time zone.",
        error_messages={"invalid": "Give a date and time, such as 2026-03-01 14:05."},
    )
    claims = forms.MultipleChoiceField(
        label="Claims it bears on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Confirming the sign re-opens every pathway that rests on one of them.",
    )
    source_ref = forms.CharField(label="Source reference", max_length=300, required=False)
    sensitivity = forms.ChoiceField(
        label="Who may read its text",
        choices=[
            (SignSensitivity.INTERNAL, "Internal staff only"),
            (SignSensitivity.REVIEWER, "Reviewers too, external ones included"),
        ],
        initial=SignSensitivity.INTERNAL,
        widget=forms.RadioSelect,
        help_text="Reviewers are told of the pathways it re-opens in their scope either way.",
    )

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_sign_%s"
        self.fields["claims"].choices = [(claim.slug, f"{claim.statement} ({claim.slug})") for claim in claims]


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why it is dismissed",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the sign is dismissed: the reason is kept with it."},
    )
