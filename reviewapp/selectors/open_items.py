"""What a review still waits for, and how long it has taken: the figures of leadership's
dashboard beside the verdict matrix (reviewapp.selectors.signoff), each read in one query
whatever the report's size.

- `team_figures`: per owning team, its open and overdue requests, its overdue ones (the
  oldest first), and the median days its requests waited for a first answer.
- `report_facts`: unresolved comment threads, carried-forward evidence still unconfirmed,
  the mitigations on the roadmap not yet done and those overdue, the latest published
  version, when the report was first opened for review and when it was first approved
  after that.
- `cycle_time`: those figures as days, for this report and the one it was started from.
For readers who see the report whole (leadership, authors); the views check the role.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    JSONField,
    OuterRef,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Extract, JSONObject

from evidence.enums import Carried, MessageKind
from evidence.models import Evidence, InformationRequest, RequestMessage
from pathways.enums import ReportStatus
from pathways.models import AuditEntry, Report
from reviewapp.enums import APPROVING, BLOCKING_SEVERITIES, RoadmapStatus
from reviewapp.models import Comment, Finding, RoadmapItem, SignOff
from versions.models import ReportVersion


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class TeamRequests:
    team: str
    open: int
    overdue: int
    median_days_to_answer: float | None = None
    answered: int = 0


@dataclass
class OverdueRequest:
    pk: int
    title: str
    team: str
    organisation: str
    due_date: date
    days_overdue: int


def team_figures(report_ids: list[int], today: date) -> dict[int, tuple[list[TeamRequests], list[OverdueRequest]]]:
    """Per report: every team with a request on it, and the overdue requests of them all."""
    late = InformationRequest.overdue_on(today)
    first_answer = (
        RequestMessage.objects.filter(request=OuterRef("pk"), kind=MessageKind.ANSWER)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    waited = Extract(ExpressionWrapper(Subquery(first_answer) - F("created_at"), output_field=DurationField()), "epoch")
    teams = (
        InformationRequest.objects.filter(report_id__in=report_ids)
        .values("report_id", "team__name")
        .annotate(
            open=Count("id", filter=InformationRequest.open_requests()),
            overdue=Count("id", filter=late),
            # Small dicts, not rows: the dashboard lists only the oldest of them all.
            late=JSONBAgg(
                JSONObject(id="id", title="title", due_date="due_date", organisation="organisation__name"),
                filter=late,
                order_by=("due_date", "id"),
                default=Value([], output_field=JSONField()),
            ),
            median_seconds=Median(waited),
            answered=Count(Subquery(first_answer)),
        )
        .order_by("report_id", "team__name")
    )
    result: dict[int, tuple[list[TeamRequests], list[OverdueRequest]]] = {pk: ([], []) for pk in report_ids}
    for team in teams:
        figures, late_requests = result[team["report_id"]]
        median = team["median_seconds"]
        figures.append(
            TeamRequests(
                team=team["team__name"],
                open=team["open"],
                overdue=team["overdue"],
                median_days_to_answer=round(median / 86400, 1) if median is not None else None,
                answered=team["answered"],
            )
        )
        for item in team["late"]:
            due_date = date.fromisoformat(item["due_date"])
            late_requests.append(
                OverdueRequest(
                    pk=item["id"],
                    title=item["title"],
                    team=team["team__name"],
                    organisation=item["organisation"],
                    due_date=due_date,
                    days_overdue=(today - due_date).days,
                )
            )
    return result


def _count(queryset) -> Coalesce:
    return Coalesce(Subquery(queryset.order_by().values("report").annotate(count=Count("pk")).values("count")), 0)


def report_facts(report_ids: list[int], today: date) -> dict[int, dict]:
    """Per report (see the module's docstring), with its slug, title and model; one query."""
    roadmap = RoadmapItem.objects.filter(report=OuterRef("pk")).exclude(status=RoadmapStatus.DONE)
    latest = (
        ReportVersion.objects.filter(report=OuterRef("pk"))
        .order_by("-number")
        .values(row=JSONObject(id="id", number="number", name="name", published_at="published_at"))[:1]
    )
    opened = AuditEntry.objects.filter(
        report=OuterRef("pk"),
        action="pathways.report.status_changed",
        data__changes__status__after=ReportStatus.IN_REVIEW,
    ).order_by("created_at")
    approved = SignOff.objects.filter(
        report=OuterRef("pk"), decision__in=APPROVING, created_at__gte=OuterRef("opened_at")
    ).order_by("created_at")
    rows = (
        Report.objects.filter(pk__in=report_ids)
        .annotate(opened_at=Subquery(opened.values("created_at")[:1]))
        .values(
            "id",
            "slug",
            "title",
            "model_name",
            "opened_at",
            threads=_count(Comment.objects.filter(report=OuterRef("pk"), parent=None, resolved_at=None)),
            unconfirmed=_count(Evidence.objects.filter(report=OuterRef("pk"), carried=Carried.UNCONFIRMED)),
            blocking_findings=_count(
                Finding.objects.filter(report=OuterRef("pk"), disposition="", severity__in=BLOCKING_SEVERITIES)
            ),
            roadmap_open=_count(roadmap),
            roadmap_overdue=_count(roadmap.filter(RoadmapItem.overdue_q(today))),
            latest=Subquery(latest, output_field=JSONField()),
            approved_at=Subquery(approved.values("created_at")[:1]),
        )
    )
    result = {}
    for row in rows:
        facts: dict = dict(row)
        latest_row: dict | None = facts.pop("latest")
        facts["report"] = Report(id=row["id"], slug=row["slug"], title=row["title"], model_name=row["model_name"])
        facts["signing"] = None
        if latest_row:
            facts["signing"] = ReportVersion(
                id=latest_row["id"],
                report_id=row["id"],
                number=latest_row["number"],
                name=latest_row["name"],
                published_at=datetime.fromisoformat(latest_row["published_at"]),
            )
        result[row["id"]] = facts
    return result


@dataclass
class CycleTime:
    report: Report
    opened_at: datetime | None
    approved_at: datetime | None
    today: date
    teams: list = field(default_factory=list)  # TeamRequests

    @property
    def days(self) -> int | None:
        """Days from first opened for review to the first approval after it; None until then."""
        if self.opened_at is None or self.approved_at is None:
            return None
        return (self.approved_at - self.opened_at).days

    @property
    def days_so_far(self) -> int | None:
        if self.opened_at is None or self.approved_at is not None:
            return None
        return (self.today - self.opened_at.date()).days

    @property
    def open(self) -> int:
        return sum(team.open for team in self.teams)

    @property
    def overdue(self) -> int:
        return sum(team.overdue for team in self.teams)


def cycle_time(facts: dict, teams: list[TeamRequests], today: date) -> CycleTime:
    """A report's cycle time, from its `report_facts` and `team_figures`."""
    return CycleTime(
        report=facts["report"], opened_at=facts["opened_at"], approved_at=facts["approved_at"], today=today, teams=teams
    )


def _days(cycle: CycleTime) -> str:
    if cycle.days is not None:
        return f"{cycle.days} day{'s' if cycle.days != 1 else ''}"
    if cycle.days_so_far is not None:
        return f"not signed off yet ({cycle.days_so_far} day{'s' if cycle.days_so_far != 1 else ''} so far)"
    return "not opened for review yet"


def cycle_rows(cycles: list[CycleTime]) -> list[tuple[str, list[str]]]:
    """The dashboard's cycle-time table: a label and one value per report, this one first."""
    rows = [
        ("From opened for review to sign-off", [_days(cycle) for cycle in cycles]),
        ("Requests open now", [str(cycle.open) for cycle in cycles]),
        ("Requests overdue now", [str(cycle.overdue) for cycle in cycles]),
    ]
    teams = sorted({team.team for cycle in cycles for team in cycle.teams if team.answered})
    for name in teams:
        values = []
        for cycle in cycles:
            team = next((team for team in cycle.teams if team.team == name and team.answered), None)
            values.append(
                f"{team.median_days_to_answer:g} days ({team.answered} answered)" if team is not None else "—"
            )
        rows.append((f"{name}: median time to a first answer", values))
    return rows
