from django import forms

from pathways.enums import ClaimCategory, ReportStatus
from pathways.models import Team
from pathways.selectors import claims_visible_to
from pathways.services import ALLOWED_STATUS_CHANGES


class ClaimFilterForm(forms.Form):
    """Filters for the claims index. Choices come from what the reader can see, so a
    forged pathway or team id is simply an invalid choice, like one that does not exist."""

    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *ClaimCategory.choices])
    team = forms.ModelChoiceField(
        required=False, queryset=Team.objects.none(), to_field_name="slug", empty_label="Any team"
    )
    pathway = forms.ModelChoiceField(required=False, queryset=None, to_field_name="slug", empty_label="Any pathway")

    def __init__(self, *args, pathways, report, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = pathways.order_by("position")
        self.fields["team"].queryset = Team.objects.filter(
            id__in=claims_visible_to(user).filter(report=report).values("owner_team_id")
        )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].id_for_label}-error"}
                )

    def filter(self, claims):
        data = self.cleaned_data
        if data.get("category"):
            claims = claims.filter(category=data["category"])
        if data.get("team"):
            claims = claims.filter(owner_team=data["team"])
        if data.get("pathway"):
            claims = claims.filter(pathway_links__pathway=data["pathway"])
        return claims


class ReportStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ReportStatus.choices)

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        allowed = ALLOWED_STATUS_CHANGES.get(report.status, set())
        self.fields["status"].choices = [(value, label) for value, label in ReportStatus.choices if value in allowed]

    def clean_status(self):
        return ReportStatus(self.cleaned_data["status"])
