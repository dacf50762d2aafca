"""The turns of a report's review loop, as one reader may see them: opened for review,
returned to draft, versions published, sign-off decisions, and re-openings by confirmed
warning signs — the last only for the pathways re-opened in the reader's scope, and with
the sign's title only at its level (everyone who sees the report sees its status change).
A fixed number of queries however long the history."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from monitoring.enums import Triage
from monitoring.models import Reopening, WarningSign
from pathways.access import Access
from pathways.enums import ReportStatus
from pathways.models import AuditEntry, Report
from pathways.text import level_allows
from reviewapp.models import SignOff
from versions.models import ReportVersion


@dataclass
class Turn:
    when: datetime
    kind: str  # opened, draft, version, signoff, reopened
    title: str
    detail: str = ""
    version: int | None = None  # the version a turn published
    sign_id: int | None = None  # the sign that re-opened, for those who read signs
    pathways: tuple = ()  # (slug, title) of re-opened pathways the reader sees


def _status_turns(report: Report) -> list[Turn]:
    turns = []
    for entry in AuditEntry.objects.filter(report=report, action="pathways.report.status_changed").order_by(
        "created_at"
    ):
        after = (entry.data.get("changes") or {}).get("status", {}).get("after")
        if after == ReportStatus.IN_REVIEW:
            turns.append(Turn(entry.created_at, "opened", "Opened for review", f"by {entry.actor or 'someone'}"))
        elif after == ReportStatus.DRAFT:
            turns.append(Turn(entry.created_at, "draft", "Returned to draft", f"by {entry.actor or 'someone'}"))
    return turns


def report_timeline(access: Access, report: Report, visible_pathway_ids: set[int]) -> list[Turn]:
    """Oldest first; `visible_pathway_ids`: the pathways of the report the person sees (the
    page's column has them)."""
    turns = _status_turns(report)
    for version in ReportVersion.objects.filter(report=report).select_related("published_by").defer("document", "ids"):
        turns.append(
            Turn(
                version.published_at,
                "version",
                f"Version {version.number} published: “{version.name}”",
                f"by {version.published_by}",
                version=version.number,
            )
        )
    for signoff in SignOff.objects.filter(report=report).select_related("decided_by"):
        turns.append(
            Turn(
                signoff.created_at,
                "signoff",
                f"Sign-off decision: {signoff.get_decision_display()}",
                f"by {signoff.decided_by}, on version {signoff.version_label}",
            )
        )
    scope = access.on(report)
    visible = visible_pathway_ids
    signs = WarningSign.objects.filter(report=report, state=Triage.CONFIRMED).prefetch_related(
        Prefetch("reopenings", queryset=Reopening.objects.select_related("conclusion__pathway"))
    )
    for sign in signs:
        reopened = [reopening.conclusion.pathway for reopening in sign.reopenings.all()]
        pathways = tuple((pathway.slug, pathway.title) for pathway in reopened if pathway and pathway.pk in visible)
        if not pathways and not scope.handles_warning_signs:
            continue
        readable = scope.handles_warning_signs or level_allows(access.level, sign.sensitivity)
        turns.append(
            Turn(
                sign.triaged_at or sign.created_at,
                "reopened",
                "Re-opened by a warning sign",
                f"“{sign.title}”, {sign.get_severity_display().lower()} severity"
                if readable
                else f"{sign.get_severity_display()} severity",
                sign_id=sign.pk if scope.handles_warning_signs else None,
                pathways=pathways,
            )
        )
    return sorted(turns, key=lambda turn: turn.when)
