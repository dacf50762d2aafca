"""Forms for the mitigation roadmap. They check what a person typed; who may do what is
decided in the views and services (reviewapp.services.roadmap)."""

from django import forms

from reviewapp.enums import RoadmapStatus
from reviewapp.forms.requests import DateInput
from reviewapp.services.roadmap import MAX_TEXT


class RequiredSelect(forms.Select):
    """A select without an empty choice: required as it stands. (Django's Select reads its
    first choice to decide, which for a model choice field is a second query.)"""

    def use_required_attribute(self, initial) -> bool:
        return not self.is_hidden


class RoadmapMoveForm(forms.Form):
    """What the owning team changes: where the mitigation stands and when it is due."""

    status = forms.ChoiceField(
        choices=RoadmapStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose proposed, planned, in progress or done."},
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        widget=DateInput,
        help_text="Required once it is planned. The team is reminded the day before; "
        "once it is past and not done, the team and the authors are told.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RoadmapItemForm(RoadmapMoveForm):
    """Everything of an item, for the report's authors."""

    title = forms.CharField(label="Mitigation", max_length=300, error_messages={"required": "Say what it is."})
    description = forms.CharField(
        label="What it involves",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    owner_team = forms.ModelChoiceField(
        label="Owning team",
        queryset=None,
        empty_label=None,
        widget=RequiredSelect,
        help_text="The team that delivers it.",
    )
    pathways = forms.ModelMultipleChoiceField(
        label="Pathways it would strengthen",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one pathway it would strengthen."},
    )
    field_order = ["title", "description", "owner_team", "status", "target_date", "pathways"]

    def __init__(self, *args, teams, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_team"].queryset = teams
        self.fields["pathways"].queryset = pathways
