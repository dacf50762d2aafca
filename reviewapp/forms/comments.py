"""Forms of the comments feature. They check shape only; the rules (who may post what,
mentions, visibility, versions) are the services' (reviewapp.services.comments)."""

from django import forms

from reviewapp.enums import CommentVisibility
from reviewapp.services.comments import MAX_TEXT_LENGTH

TEXT_ERRORS = {
    "required": "Write something before posting.",
    "max_length": f"A comment is at most {MAX_TEXT_LENGTH:,} characters.",
}


class CommentForm(forms.Form):
    """A new thread or a reply. External reviewers are shown no visibility choice."""

    text = forms.CharField(max_length=MAX_TEXT_LENGTH, error_messages=TEXT_ERRORS, widget=forms.Textarea)
    visibility = forms.ChoiceField(
        required=False,
        choices=CommentVisibility.choices,
        error_messages={"invalid_choice": "Choose shared with reviewers, or internal only."},
    )

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or CommentVisibility.SHARED


class CommentEditForm(forms.Form):
    text = forms.CharField(max_length=MAX_TEXT_LENGTH, error_messages=TEXT_ERRORS, widget=forms.Textarea)
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "The form lost track of the version; reload the page and try again."},
    )


SUBJECT_FILTER_CHOICES = [
    ("", "Everything"),
    ("pathway", "Pathways"),
    ("claim", "Claims"),
    ("evidence", "Evidence"),
    ("conclusion", "Conclusions"),
]


class DiscussionFilterForm(forms.Form):
    subject = forms.ChoiceField(
        label="On", required=False, choices=SUBJECT_FILTER_CHOICES, error_messages={"invalid_choice": "No such kind."}
    )
