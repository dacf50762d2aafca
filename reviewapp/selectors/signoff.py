"""The state a sign-off is decided on: which organisations are expected to give a verdict
on what (`reviewer_coverage`, from the grants on the report), the dashboard's matrix of
conclusions by organisation, what is still open or overdue, and the sign-offs recorded.
Read by leadership and authors, who see the report whole; the views check the role.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    BigIntegerField,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pathways.access import access_of
from pathways.enums import PATHWAY_REVIEW_CODENAME, REVIEWER_ROLES
from pathways.models import (
    Conclusion,
    PathwayGroupObjectPermission,
    PathwayUserObjectPermission,
    Report,
    ReportGroupObjectPermission,
    ReportUserObjectPermission,
    ReviewerOrganisation,
    User,
)
from pathways.selectors import conclusions_visible_to
from reviewapp.enums import Position
from reviewapp.models import SignOff, Verdict
from reviewapp.selectors.open_items import cycle_time, report_facts, team_figures
from reviewapp.selectors.verdicts import CONCURRING, current_verdicts_visible_to
from versions.models import ReportVersion
from versions.selectors import with_published_version

REVIEWER_CODENAMES = [role.codename for role in REVIEWER_ROLES]


@dataclass
class ReviewerCoverage:
    """The reviewer organisations of a report and which conclusions each is expected to answer."""

    organisations: list
    whole_report: set = field(default_factory=set)  # organisation ids reviewing every conclusion
    pathways: set = field(default_factory=set)  # (organisation id, pathway id) pairs

    def expects(self, organisation, conclusion) -> bool:
        if organisation.pk in self.whole_report:
            return True
        if not any(org_id == organisation.pk for org_id, _ in self.pathways):
            return False
        # A pathway-limited organisation answers its pathways and the overall conclusion.
        return conclusion.pathway_id is None or (organisation.pk, conclusion.pathway_id) in self.pathways


def reviewer_coverage(report: Report) -> ReviewerCoverage:
    """Organisations with a reviewer grant on the report (whole or by pathway) and any
    organisation that has recorded a verdict on it, in one query whatever their number.
    Only for readers who see the whole report (leadership, authors): it names every
    reviewing organisation."""
    number = BigIntegerField()
    reviewer = {"permission__codename__in": REVIEWER_CODENAMES}
    pathway = {"content_object__report": report, "permission__codename": PATHWAY_REVIEW_CODENAME}

    def rows(queryset, organisation, pathway_id=None):
        """(organisation id, name, kind, pathway id or NULL for the whole report) of each grant."""
        return queryset.order_by().values_list(
            organisation,
            f"{organisation[:-3]}__name",
            f"{organisation[:-3]}__kind",
            pathway_id if pathway_id else Cast(Value(None), output_field=number),
        )

    whole_or_pathway = [
        rows(ReportUserObjectPermission.objects.filter(content_object=report, **reviewer), "user__organisation_id"),
        rows(
            ReportGroupObjectPermission.objects.filter(content_object=report, **reviewer),
            "group__user__organisation_id",
        ),
        rows(PathwayUserObjectPermission.objects.filter(**pathway), "user__organisation_id", "content_object_id"),
        rows(
            PathwayGroupObjectPermission.objects.filter(**pathway),
            "group__user__organisation_id",
            "content_object_id",
        ),
    ]
    # An organisation that gave a verdict stays on the dashboard after its grants are gone;
    # the pathway column of these rows is -1: "no grant".
    with_verdicts = (
        Verdict.objects.filter(conclusion__report=report)
        .order_by()
        .values_list(
            "organisation_id", "organisation__name", "organisation__kind", Cast(Value(-1), output_field=number)
        )
    )
    first, *rest = whole_or_pathway
    organisations, whole, pairs = {}, set(), set()
    for organisation_id, name, kind, pathway_id in first.union(*rest, with_verdicts, all=True):
        if organisation_id is None:
            continue  # a grant to someone who acts for no organisation
        organisations[organisation_id] = ReviewerOrganisation(pk=organisation_id, name=name, kind=kind)
        if pathway_id is None:
            whole.add(organisation_id)
        elif pathway_id > 0:
            pairs.add((organisation_id, pathway_id))
    return ReviewerCoverage(
        organisations=sorted(organisations.values(), key=lambda org: (org.kind, org.name)),
        whole_report=whole,
        pathways=pairs,
    )


@dataclass
class Cell:
    """One organisation × one conclusion on the dashboard."""

    organisation: ReviewerOrganisation
    verdict: Verdict | None
    expected: bool

    @property
    def missing(self) -> bool:
        return self.expected and self.verdict is None

    @property
    def stale(self) -> bool:
        return self.verdict is not None and self.verdict.is_stale

    @property
    def concurs(self) -> bool:
        return self.verdict is not None and not self.stale and self.verdict.position in CONCURRING


@dataclass
class MatrixRow:
    conclusion: Conclusion
    cells: list

    @property
    def title(self) -> str:
        return self.conclusion.pathway.title if self.conclusion.pathway is not None else "Overall conclusion"

    @property
    def expected_cells(self) -> list:
        return [cell for cell in self.cells if cell.expected]

    @property
    def reviewed(self) -> bool:
        """Some organisation is expected to give a verdict on this conclusion."""
        return bool(self.expected_cells)

    @property
    def concurred(self) -> bool:
        """Current concurrence from every organisation expected to answer (and at least one)."""
        expected = self.expected_cells
        return bool(expected) and all(cell.concurs for cell in expected)

    @property
    def concurrence_words(self) -> str:
        """How the concurrence reads under the conclusion ("" without it): how many
        organisations review it, and how many of them concur only with reservations."""
        if not self.concurred:
            return ""
        expected = self.expected_cells
        reserved = sum(1 for cell in expected if cell.verdict.position == Position.CONCUR_WITH_RESERVATIONS)
        if len(expected) == 1:
            return "its one reviewing organisation concurs" + (" with reservations" if reserved else "")
        if reserved == len(expected):
            return f"all {len(expected)} reviewing organisations concur with reservations"
        return f"all {len(expected)} reviewing organisations concur" + (
            f", {reserved} with reservations" if reserved else ""
        )


# The dashboard lists this many of the oldest overdue requests, and links to the rest.
OVERDUE_SHOWN = 10


@dataclass
class SignOffState:
    """Everything leadership decides on: the verdict matrix, readiness and open items."""

    report: Report
    organisations: list
    rows: list
    requests_by_team: list
    unresolved_threads: int
    today: date
    overdue: list = field(default_factory=list)  # the oldest OVERDUE_SHOWN requests past their due date
    signing: ReportVersion | None = None  # the latest published version, which a sign-off is of
    unconfirmed: int = 0  # evidence carried from the previous model's report, still to confirm or replace
    blocking_findings: int = 0  # major or critical findings without the authors' disposition
    facts: dict = field(default_factory=dict)  # reviewapp.selectors.open_items.report_facts
    teams: list = field(default_factory=list)  # every team with a request, open or not
    cycles: list = field(default_factory=list)  # CycleTime of this report, then of its predecessor

    @property
    def stale_cells(self) -> list[tuple]:
        """(row, cell) for every current verdict given on an earlier text of its conclusion."""
        return [(row, cell) for row in self.rows for cell in row.cells if cell.verdict and cell.stale]

    @property
    def needs_attention(self) -> bool:
        return bool(self.overdue or self.stale_cells)

    @property
    def pathway_rows(self) -> list:
        return [row for row in self.rows if row.conclusion.pathway_id]

    @property
    def overall_row(self):
        return next((row for row in self.rows if not row.conclusion.pathway_id), None)

    @property
    def concurred_pathways(self) -> int:
        return sum(1 for row in self.pathway_rows if row.concurred)

    @property
    def readiness_line(self) -> str:
        """Of the pathways some organisation reviews, how many have every reviewer's current
        concurrence; how many no organisation reviews; and the overall conclusion."""
        reviewed = sum(1 for row in self.pathway_rows if row.reviewed)
        unreviewed = len(self.pathway_rows) - reviewed
        if reviewed:
            line = (
                f"{self.concurred_pathways} of {reviewed} reviewed pathway{'s' if reviewed != 1 else ''} "
                f"{'has' if reviewed == 1 else 'have'} current concurrence from every organisation reviewing "
                f"{'it' if reviewed == 1 else 'them'}"
            )
        else:
            line = "No reviewer organisation reviews a pathway yet"
        if reviewed and unreviewed:
            line += f"; no organisation reviews the other {unreviewed if unreviewed != 1 else 'one'}"
        if self.overall_row is not None:
            line += "; the overall conclusion " + ("has it too" if self.overall_row.concurred else "does not yet")
        return line + "."

    @property
    def blocking_reasons(self) -> list[str]:
        """What stands in the way of a sign-off without override: missing and stale verdicts,
        evidence carried from the previous model's report that is still unconfirmed, and major
        or critical findings the authors have not answered."""
        reasons = []
        if self.blocking_findings:
            count = self.blocking_findings
            reasons.append(
                f"{count} major or critical finding{'s have' if count != 1 else ' has'} no disposition from the "
                "authors yet."
            )
        if self.unconfirmed:
            reasons.append(
                f"{self.unconfirmed} carried-forward evidence item{'s are' if self.unconfirmed != 1 else ' is'} "
                "still to be confirmed or replaced by the owning teams."
            )
        for row in self.rows:
            for cell in row.cells:
                if cell.missing:
                    reasons.append(f"{cell.organisation.name} has not given a verdict on {_subject(row)}.")
                elif cell.stale and cell.expected:
                    reasons.append(
                        f"The verdict of {cell.organisation.name} on {_subject(row)} is stale: the conclusion "
                        "has changed since and they have not re-confirmed it."
                    )
        return reasons

    @property
    def open_requests(self) -> int:
        return sum(team.open for team in self.requests_by_team)

    @property
    def overdue_requests(self) -> int:
        return sum(team.overdue for team in self.requests_by_team)


def _subject(row: MatrixRow) -> str:
    return f"“{row.conclusion.pathway.title}”" if row.conclusion.pathway is not None else "the overall conclusion"


def signoff_state(
    *, user: User, report: Report, conclusions: list[Conclusion] | None = None, with_predecessor: bool = False
) -> SignOffState:
    """The sign-off dashboard's state of one report, for a reader who sees it whole
    (leadership, authors; the views check the role). Conclusions come through
    `conclusions_visible_to`, or from the page (`conclusions`: the pathways' in order,
    then the overall one); requests and comment threads are counted on the whole report,
    which such a reader may see. A fixed number of queries however many pathways,
    organisations and verdicts there are."""
    if conclusions is None:
        conclusions = list(
            conclusions_visible_to(user)
            .filter(report=report)
            .select_related("pathway")
            .order_by("pathway__position", "pathway_id")  # NULLs last: the overall conclusion ends the table
        )
    by_conclusion = {conclusion.pk: conclusion for conclusion in conclusions}
    verdicts = {}
    for verdict in (
        current_verdicts_visible_to(user)
        .filter(conclusion__report=report)
        .select_related("organisation", "recorded_by")
        .order_by()
    ):
        verdict.conclusion = by_conclusion[verdict.conclusion_id]
        verdicts[(verdict.conclusion_id, verdict.organisation_id)] = verdict
    coverage = reviewer_coverage(report)
    rows = [
        MatrixRow(
            conclusion=conclusion,
            cells=[
                Cell(
                    organisation=organisation,
                    verdict=verdicts.get((conclusion.pk, organisation.pk)),
                    expected=coverage.expects(organisation, conclusion),
                )
                for organisation in coverage.organisations
            ],
        )
        for conclusion in conclusions
    ]
    today = timezone.localdate()
    # With `with_predecessor`, the figures of the report it was started from are read in the
    # same queries (when the reader can see it), for the cycle time beside this report's.
    ids, predecessor = [report.pk], report.predecessor_id
    if with_predecessor and predecessor is not None and predecessor in access_of(user).visible_report_ids:
        ids.append(predecessor)
    figures = team_figures(ids, today)
    teams, late_requests = figures[report.pk]
    requests_by_team = [team for team in teams if team.open]
    all_facts = report_facts(ids, today)
    facts = all_facts[report.pk]
    cycles = [cycle_time(all_facts[pk], figures[pk][0], today) for pk in ids if pk in all_facts]
    overdue = sorted(late_requests, key=lambda item: (item.due_date, item.pk))[:OVERDUE_SHOWN]
    return SignOffState(
        report=report,
        organisations=coverage.organisations,
        rows=rows,
        requests_by_team=requests_by_team,
        unresolved_threads=facts["threads"],
        today=today,
        overdue=overdue,
        signing=facts["signing"],
        unconfirmed=facts["unconfirmed"],
        blocking_findings=facts["blocking_findings"],
        facts=facts,
        teams=teams,
        cycles=cycles,
    )


def signoffs_for_report(*, report: Report) -> QuerySet[SignOff]:
    """The report's recorded sign-offs, newest first; for leadership and authors (checked by the view)."""
    return with_published_version(SignOff.objects.filter(report=report)).select_related("decided_by")


def signoff_in_report(report: Report, pk) -> SignOff:
    """One of the report's recorded sign-offs, or 404 (who may read them is checked by the view)."""
    return get_object_or_404(signoffs_for_report(report=report), pk=pk)
