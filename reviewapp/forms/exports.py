"""The form that starts an export. It offers only the levels the person may read; who may
export what is decided again by the service (reviewapp/services/exports.py)."""

from django import forms

from pathways.text import LEVELS
from reviewapp.enums import ExportFormat, ExportKind

LEVEL_LABELS = {
    "public": "Public: what the published version shows",
    "reviewer": "Reviewer: the extended version external reviewers read",
    "internal": "Internal: everything, internal material included",
}
KIND_LABELS = {
    ExportKind.REPORT: "The report: pathways, claims, evidence and conclusions",
    ExportKind.REVIEW_RECORD: "The review record: sign-off, every organisation's verdicts, dissents "
    "and reservations, and the information-request log",
}


class ExportStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to export",
        choices=[(kind.value, KIND_LABELS[kind]) for kind in ExportKind],
        widget=forms.RadioSelect,
        initial=ExportKind.REPORT,
        error_messages={
            "required": "Choose what to export.",
            "invalid_choice": "Choose the report or the review record.",
        },
    )
    fmt = forms.ChoiceField(
        label="Format",
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.PDF,
        error_messages={"required": "Choose a format.", "invalid_choice": "Choose Markdown or PDF."},
    )
    level = forms.ChoiceField(
        label="Level",
        widget=forms.RadioSelect,
        help_text="Material above the level is left out and its passages show as [redacted].",
    )

    version = forms.TypedChoiceField(
        label="Version",
        widget=forms.RadioSelect,
        coerce=int,
        empty_value=None,
        required=False,
        help_text="The report as it stands now, or as it was published. The review record is always of the "
        "review as it stands.",
    )

    field_order = ["kind", "version", "fmt", "level"]

    def __init__(self, *args, user, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        version = self.fields["version"]
        version.choices = [("", "The working draft")] + [
            (
                str(published.number),
                f"Version {published.number}, “{published.name}” ({published.published_at:%-d %b %Y})",
            )
            for published in versions
        ]
        version.initial = ""
        version.error_messages["invalid_choice"] = "Choose the working draft or one of the published versions."
        if not versions:
            del self.fields["version"]  # nothing to choose
        readable = LEVELS[: LEVELS.index(user.reading_level) + 1]
        level = self.fields["level"]
        level.choices = [(value, LEVEL_LABELS[value]) for value in readable]
        level.initial = "reviewer"
        level.error_messages = {
            "required": "Choose a level.",
            "invalid_choice": f"Choose a level you may read: {', '.join(readable)}.",
        }
