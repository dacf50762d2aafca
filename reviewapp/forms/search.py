"""The search box: what to look for, in which report, and of which kind."""

from django import forms

from reviewapp.selectors.search import KINDS

MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "maxlength": MAX_QUERY_LENGTH}),
    )
    report = forms.ChoiceField(label="In", required=False)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Every kind"), *((kind.name, kind.label) for kind in KINDS.values())],
        error_messages={
            "invalid_choice": "There is no kind of result called “%(value)s”: results are claims, evidence, "
            "pathways, conclusions, comments or requests."
        },
    )

    def __init__(self, *args, report=None, **kwargs):
        """`report`: the report the search may be kept to (the page's, found in scope)."""
        super().__init__(*args, **kwargs)
        choices = [("", "All your reports")]
        if report is not None:
            choices.insert(0, (report.slug, f"This report: {report.title}"))
        self.fields["report"].choices = choices
        self.fields["q"].widget.attrs["aria-describedby"] = "search-help"

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                f"Search for at most {MAX_QUERY_LENGTH} characters; this has {len(text):,}. "
                "A few distinctive words find more than a long sentence."
            )
        return text
