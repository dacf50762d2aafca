from django import forms

from pathways.enums import ClaimCategory, ReportStatus
from pathways.models import Team
from pathways.selectors import claims_visible_to
from pathways.services import ALLOWED_STATUS_CHANGES


class ClaimFilterForm(forms.Form):
    """Filters for the claims index. Choices come from what the reader can see, so a
    forged pathway or team id is simply an invalid choice, like one that does not exist."""

    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *ClaimCategory.choices])
    team = forms.ChoiceField(required=False)
    pathway = forms.ChoiceField(required=False)

    def __init__(self, *args, pathways, report, user, **kwargs):
        """`pathways`: the pathways the reader sees (the page's column), in order."""
        super().__init__(*args, **kwargs)
        self.pathways = {pathway.slug: pathway for pathway in pathways}
        self.fields["pathway"].choices = [("", "Any pathway")] + [(p.slug, p.title) for p in pathways]
        teams = Team.objects.filter(id__in=claims_visible_to(user).filter(report=report).values("owner_team_id"))
        self.teams = {team.slug: team for team in teams}
        self.fields["team"].choices = [("", "Any team")] + [(team.slug, team.name) for team in self.teams.values()]

    def filter(self, claims):
        data = self.cleaned_data
        if data.get("category"):
            claims = claims.filter(category=data["category"])
        if data.get("team"):
            claims = claims.filter(owner_team=self.teams[data["team"]])
        if data.get("pathway"):
            claims = claims.filter(pathway_links__pathway=self.pathways[data["pathway"]])
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
