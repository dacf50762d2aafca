"""A pathway's lines of defence as one person reads them: each line with the claims and
evidence it rests on that the person can see, and the independence of the lines
(`evidence.defence`) computed from that alone.

They are read with the pathway column of a report page (`defence_rows`, an annotation of
each pathway), so the report page, the dashboard and a pathway's page show them with no
query of their own.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject

from evidence.defence import Basis, Independence, Shared, independence
from evidence.models import DefenceClaim, DefenceEvidence, LineOfDefence
from evidence.selectors import defence_scope, evidence_scope
from pathways.access import Access
from pathways.models import Team
from pathways.selectors import claim_scope

# What a line is read with (besides what it rests on).
_LINE_FIELDS = ("id", "slug", "title", "kind", "stage", "sensitivity", "strength", "strength_reason", "owner_team_id")


def _link_rows(model, scope, **columns) -> Subquery:
    """A line's links of `model` that the reader can see, as a JSON list in the authors' order."""
    return Subquery(
        model.objects.filter(scope, line_id=OuterRef("pk"))
        .order_by()
        .values("line_id")
        .annotate(rows=JSONBAgg(JSONObject(**columns), order_by=("position", "id")))
        .values("rows")
    )


def defence_rows(access: Access) -> Subquery:
    """For each pathway (the outer query's rows), the lines this person can see, in order, as
    JSON: the line's fields, its team's name, and the claims and evidence it rests on that
    the person can see (id, slug and statement or title)."""
    row = JSONObject(
        **{name: name for name in _LINE_FIELDS},
        team_name="owner_team__name",
        claims=_link_rows(
            DefenceClaim,
            claim_scope(access, "claim__"),
            id="claim_id",
            slug="claim__slug",
            statement="claim__statement",
        ),
        evidence=_link_rows(
            DefenceEvidence,
            evidence_scope(access, "evidence__"),
            id="evidence_id",
            slug="evidence__slug",
            title="evidence__title",
        ),
    )
    return Subquery(
        LineOfDefence.objects.filter(defence_scope(access), pathway_id=OuterRef("pk"))
        .order_by()
        .values("pathway_id")
        .annotate(rows=JSONBAgg(row, order_by=("position", "id")))
        .values("rows")
    )


@dataclass
class LineView:
    """One line as a pathway's page shows it."""

    line: LineOfDefence
    claims: list[dict]  # {"id", "slug", "statement"}
    evidence: list[dict]  # {"id", "slug", "title"}
    depends_on: list[tuple[LineOfDefence, str]] = field(default_factory=list)  # (other line, what they share)


@dataclass
class PathwayDefence:
    lines: list[LineView]
    independence: Independence

    @property
    def flagged(self) -> bool:
        return self.independence.flagged


def _line(row: dict) -> LineOfDefence:
    """A line read from `defence_rows`' JSON, as a model instance for templates (not saved)."""
    line = LineOfDefence(**{name: row[name] for name in _LINE_FIELDS})
    line.owner_team = Team(id=row["owner_team_id"], name=row["team_name"])
    line._state.adding, line._state.db = False, "default"
    return line


def pathway_defence(rows: list[dict] | None) -> PathwayDefence:
    """A pathway's lines from `defence_rows`' JSON, with which others each depends on."""
    views = [
        LineView(line=_line(row), claims=row["claims"] or [], evidence=row["evidence"] or []) for row in rows or []
    ]
    found = independence([_basis(view) for view in views])
    by_id = {view.line.pk: view for view in views}
    for view in views:
        view.depends_on = [
            (by_id[other_id].line, _described(common, view))
            for other_id, common in found.dependencies[view.line.pk].items()
        ]
    return PathwayDefence(lines=views, independence=found)


def _basis(view: LineView) -> Basis:
    return Basis(
        line_id=view.line.pk,
        team_id=view.line.owner_team_id,
        claim_ids=frozenset(row["id"] for row in view.claims),
        evidence_ids=frozenset(row["id"] for row in view.evidence),
    )


def _described(common: Shared, view: LineView) -> str:
    """What two lines share, in words: "claim weights-security; the Security team"."""
    parts = [f"claim {row['slug']}" for row in view.claims if row["id"] in common.claim_ids]
    parts += [f"evidence {row['slug']}" for row in view.evidence if row["id"] in common.evidence_ids]
    if common.team:
        parts.append(f"the {view.line.owner_team.name} team")
    return "; ".join(parts)
