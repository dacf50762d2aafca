"""The form that publishes a version. Who may publish is decided again by the service."""

from django import forms

from versions.services import NAME_MAX


class VersionPublishForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="What reviewers will call it, such as “11 February”. Everyone who can open the report sees it.",
        error_messages={"required": "Name the version, as readers will call it (such as a date)."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What this version is for, or what changed. Everyone who can open the report sees it.",
    )
