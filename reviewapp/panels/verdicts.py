"""The verdicts part of a conclusion box: every organisation's current verdict the reader
may see, and the reader's own organisation's, with its form, when they review."""

from dataclasses import dataclass, field

from django.db.models import Q

from reviewapp.forms.verdicts import VerdictForm
from reviewapp.selectors.verdicts import current_verdicts_visible_to


@dataclass
class PanelEntry:
    organisation: object
    verdict: object = None
    own: bool = False


@dataclass
class VerdictPanel:
    """What a conclusion box shows of verdicts, for one reader."""

    conclusion: object
    entries: list = field(default_factory=list)
    organisation: object = None  # the reader's, when they record verdicts
    form: VerdictForm | None = None
    notice: str = ""
    error: str = ""
    dashboard_link: bool = False
    previous: object = None  # the reader's organisation's verdict on this conclusion in the predecessor report

    @property
    def own_verdict(self):
        return next((entry.verdict for entry in self.entries if entry.own and entry.verdict), None)


def conclusion_context(request, *, report, scope, conclusions, form=None, notice="", error="") -> dict:
    """Sets `verdict_panel` on each conclusion for its box (_conclusion.html): every
    organisation's current verdict the reader may see, and the reader's own organisation
    (with the form) when they review; one query. Who has not answered yet is on the
    dashboard."""
    conclusions = [conclusion for conclusion in conclusions if conclusion is not None]
    if not conclusions:
        return {}
    by_pk = {conclusion.pk: conclusion for conclusion in conclusions}
    organisation = scope.reviewing_organisation
    wanted = Q(conclusion__in=list(by_pk))
    if organisation is not None and report.predecessor_id:
        # The reader's organisation's verdicts on the predecessor's conclusions, where the
        # reader may see them there, in the same query.
        wanted |= Q(conclusion__report_id=report.predecessor_id, organisation=organisation)
    verdicts, previous = {}, {}
    for verdict in (
        current_verdicts_visible_to(request.access)
        .filter(wanted)
        .select_related("organisation", "recorded_by", "conclusion__report", "conclusion__pathway")
        .order_by("organisation__kind", "organisation__name")
    ):
        if verdict.conclusion_id in by_pk:
            verdict.conclusion = by_pk[verdict.conclusion_id]
            verdicts.setdefault(verdict.conclusion_id, {})[verdict.organisation_id] = verdict
        else:
            pathway = verdict.conclusion.pathway
            previous[pathway.slug if pathway is not None else None] = verdict
    for conclusion in conclusions:
        given = verdicts.get(conclusion.pk, {})
        organisations = [verdict.organisation for verdict in given.values()]
        if organisation is not None and organisation.pk not in given:
            organisations.append(organisation)
        panel = VerdictPanel(
            conclusion=conclusion,
            entries=[
                PanelEntry(
                    organisation=org,
                    verdict=given.get(org.pk),
                    own=organisation is not None and org.pk == organisation.pk,
                )
                for org in organisations
            ],
            organisation=organisation,
            notice=notice,
            error=error,
            dashboard_link=conclusion.pathway_id is None and scope.may_open_dashboard,
            previous=previous.get(conclusion.pathway.slug if conclusion.pathway_id else None),
        )
        if organisation is not None:
            own = given.get(organisation.pk)
            initial = {"position": own.position, "rationale": own.rationale} if own else {}
            panel.form = form if form is not None else VerdictForm(conclusion=conclusion, initial=initial)
        conclusion.verdict_panel = panel
    return {}
