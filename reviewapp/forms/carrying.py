"""Forms for the next model's report and for the evidence carried into it. They check what
was typed; who may do what, and the rest of the rules, are the service's
(evidence/services/carrying.py)."""

from django import forms

from evidence.services.editing import EVIDENCE_MARKDOWN_FIELDS, EVIDENCE_PLAIN_FIELDS
from reviewapp.forms.authoring import EditForm, TextField, markdown_field


class NextReportForm(forms.Form):
    model_name = forms.CharField(
        label="Model",
        max_length=300,
        help_text="The model the new report is about, as readers will name it.",
        error_messages={"required": "Name the model the new report is about."},
    )
    slug = forms.CharField(
        label="Slug",
        max_length=50,
        help_text="Its address: lower-case letters, digits and hyphens, such as “model-2-risk-report”.",
        error_messages={"required": "Give the new report a slug."},
    )
    title = forms.CharField(
        label="Title",
        max_length=300,
        required=False,
        help_text="Left empty: this report's title, with the new model's name.",
    )


class CarriedConfirmForm(forms.Form):
    note = forms.CharField(
        label="Why it still holds",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you checked for the new model. Kept with the item and in the audit log.",
        error_messages={"required": "Say why it still holds for this model (what you checked)."},
    )


class CarriedReplaceForm(EditForm):
    markdown_fields = EVIDENCE_MARKDOWN_FIELDS
    plain_fields = EVIDENCE_PLAIN_FIELDS

    title = TextField(label="Title", max_length=300, required=True)
    source = TextField(label="Source", max_length=500, help_text="Where the new artefact lives.")
    summary = markdown_field("What it shows for the new model", rows=10)
    note = TextField(label="Note", rows=3, help_text="Optional: what changed since the last model.")
