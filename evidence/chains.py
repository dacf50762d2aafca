"""A pathway's detection chains as one person reads them, and what the app flags in each.

Rule: a chain is flagged when, of the steps the reader can see,
- a role is missing (a chain runs signal → detection → alert → response → action);
- a step has no evidence the reader can see;
- no response step gives a time to respond;
- the chain's steps together take longer than the time after which the harm cannot be
  undone (the response is slower than the harm), or that time is not stated.

Like independence, the flags are computed from what the reader can see of the chain, so
they never hint at a step or an evidence item above the reader's level: to a reader below
an internal step's level, the chain lacks that step.

Chains are read with the pathway column of a pathway's page (`chain_rows`, an annotation
of each pathway), so the page shows them with no query of its own.
"""

from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject

from evidence.enums import Detector, StepRole
from evidence.models import ChainStep, ChainStepEvidence, DetectionChain
from evidence.selectors import chain_scope, evidence_scope
from pathways.access import Access
from pathways.selectors import readable

_CHAIN_FIELDS = ("id", "slug", "scenario", "harm_after", "sensitivity")
_STEP_FIELDS = ("id", "role", "text", "sensitivity", "detector", "paged", "minutes", "position", "owner_team_id")
ROLES = list(StepRole)


def duration(minutes: int | None) -> str:
    """Minutes in the largest unit that divides them: "2d", "4h", "90m"; "" for none."""
    if minutes is None:
        return ""
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


@dataclass
class StepView:
    """One step as the reader sees it."""

    id: int
    number: int  # from 1, among the steps the reader sees
    role: str
    text: str
    sensitivity: str
    team_name: str
    detector: str
    paged: bool | None
    minutes: int | None
    evidence: list[dict]  # {"id", "slug", "title"}

    @property
    def role_label(self) -> str:
        return StepRole(self.role).label

    @property
    def detector_label(self) -> str:
        return Detector(self.detector).label if self.detector else ""

    @property
    def time(self) -> str:
        return duration(self.minutes)


@dataclass
class ChainFlags:
    missing: list[str] = field(default_factory=list)  # the labels of roles no step has
    unevidenced: list[int] = field(default_factory=list)  # numbers of steps without evidence
    untimed: bool = False  # no response step gives a time to respond
    harm_unstated: bool = False
    total_minutes: int = 0
    slower: bool = False  # the steps take longer than the harm takes to become irreversible

    def __bool__(self) -> bool:
        return bool(self.missing or self.unevidenced or self.untimed or self.harm_unstated or self.slower)

    @property
    def total(self) -> str:
        return duration(self.total_minutes)


@dataclass
class ChainView:
    id: int
    slug: str
    scenario: str
    harm_after: int | None
    sensitivity: str
    steps: list[StepView]
    flags: ChainFlags

    @property
    def harm_time(self) -> str:
        return duration(self.harm_after)


def chain_flags(*, harm_after: int | None, steps: list[StepView]) -> ChainFlags:
    roles = {step.role for step in steps}
    responses = [step for step in steps if step.role == StepRole.RESPONSE]
    total = sum(step.minutes or 0 for step in steps)
    return ChainFlags(
        missing=[role.label for role in ROLES if role not in roles],
        unevidenced=[step.number for step in steps if not step.evidence],
        untimed=bool(responses) and all(step.minutes is None for step in responses),
        harm_unstated=harm_after is None,
        total_minutes=total,
        slower=harm_after is not None and total > harm_after,
    )


def chain_rows(access: Access) -> Subquery:
    """For each pathway (the outer query's rows), the chains this person can see, in order,
    as JSON: the chain's fields and the steps the person can see, each with its team's
    name and the evidence the person can see."""
    step_level = readable(access) or Q()
    step = JSONObject(
        **{name: name for name in _STEP_FIELDS},
        team_name="owner_team__name",
        evidence=Subquery(
            ChainStepEvidence.objects.filter(evidence_scope(access, "evidence__"), step_id=OuterRef("pk"))
            .order_by()
            .values("step_id")
            .annotate(
                rows=JSONBAgg(
                    JSONObject(id="evidence_id", slug="evidence__slug", title="evidence__title"),
                    order_by=("position", "id"),
                )
            )
            .values("rows")
        ),
    )
    chain = JSONObject(
        **{name: name for name in _CHAIN_FIELDS},
        steps=Subquery(
            ChainStep.objects.filter(step_level, chain_id=OuterRef("pk"))
            .order_by()
            .values("chain_id")
            .annotate(rows=JSONBAgg(step, order_by=("position", "id")))
            .values("rows")
        ),
    )
    return Subquery(
        DetectionChain.objects.filter(chain_scope(access), pathway_id=OuterRef("pk"))
        .order_by()
        .values("pathway_id")
        .annotate(rows=JSONBAgg(chain, order_by=("position", "id")))
        .values("rows")
    )


def pathway_chains(rows: list[dict] | None) -> list[ChainView]:
    """A pathway's chains from `chain_rows`' JSON, each with its flags."""
    chains = []
    for row in rows or []:
        steps = [
            StepView(
                id=step["id"],
                number=number,
                role=step["role"],
                text=step["text"],
                sensitivity=step["sensitivity"],
                team_name=step["team_name"],
                detector=step["detector"],
                paged=step["paged"],
                minutes=step["minutes"],
                evidence=step["evidence"] or [],
            )
            for number, step in enumerate(row["steps"] or [], start=1)
        ]
        flags = chain_flags(harm_after=row["harm_after"], steps=steps)
        chains.append(ChainView(**{name: row[name] for name in _CHAIN_FIELDS}, steps=steps, flags=flags))
    return chains
