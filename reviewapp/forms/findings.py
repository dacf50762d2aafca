"""Forms for findings and the authors' answers. They check what a person typed; who may do
what is decided in the views and services (reviewapp.services.findings)."""

from django import forms

from reviewapp.enums import CommentVisibility, Disposition, FindingKind, Severity
from reviewapp.services.findings import MAX_TEXT

# Where on a claim a finding is: the claim itself, or its use in one pathway (by slug).
ON_THE_CLAIM = ""


class FindingForm(forms.Form):
    where = forms.ChoiceField(label="About", required=False)
    kind = forms.ChoiceField(
        label="What is wrong",
        choices=FindingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the finding says is wrong."},
    )
    severity = forms.ChoiceField(
        label="Severity",
        choices=Severity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose minor, major or critical."},
        help_text="A major or critical finding holds up the sign-off until the authors answer it.",
    )
    text = forms.CharField(
        label="Finding",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write the finding."},
    )
    recommendation = forms.CharField(
        label="Recommendation",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What would answer it: an analysis, an investigation, a mitigation.",
    )
    visibility = forms.ChoiceField(
        label="Who reads it",
        required=False,
        choices=[
            (CommentVisibility.SHARED, "Shared: every reviewer who can see what it is about"),
            (CommentVisibility.INTERNAL, "Internal: internal staff only"),
        ],
        initial=CommentVisibility.SHARED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, pathways=None, internal: bool = True, **kwargs):
        """`pathways`: for a claim, the pathways (in scope) it rests on; None for a line of
        defence. `internal`: whether the person may keep a finding internal."""
        super().__init__(*args, **kwargs)
        if pathways is None:
            del self.fields["where"]
        else:
            self.fields["where"].choices = [(ON_THE_CLAIM, "The claim itself")] + [
                (pathway.slug, f"Its use in “{pathway.title}”") for pathway in pathways
            ]
        if not internal:
            del self.fields["visibility"]


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label="Disposition",
        choices=Disposition.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a disposition."},
    )
    text = forms.CharField(
        label="Reason or plan",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when refuting: say why the finding does not hold.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("disposition") == Disposition.REFUTED and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Say why the finding does not hold.")
        return cleaned
