"""Scoped reads of verdicts (the state a sign-off is decided on is `selectors.signoff`).

Who sees which verdicts (docs/architecture.md, "Scopes"):
- A verdict goes with its conclusion: whoever may see the conclusion sees every
  organisation's verdicts on it (`verdicts_visible_to`). Authors, leadership, internal
  reviewers and owning-team members therefore see all of them; an external reviewer
  sees their own organisation's verdicts and other organisations' verdicts on the
  conclusions in their scope, and never a verdict (their own organisation's included)
  on a pathway outside it. Rationales are rendered at the reader's level, so
  `[[internal]]` spans in an internal team's rationale reach an external reader as
  `[redacted]`; the form tells every recorder who will read their rationale.
- Which organisations are *expected* to give a verdict follows from the grants on the
  report: an organisation reviews the whole report when one of its members holds the
  stress-tester or external-reviewer role on it, and reviews a pathway when one of its
  members holds a pathway review grant on it (`selectors.signoff.reviewer_coverage`).
Verdicts are reached through their conclusion (`conclusion_scope`), by a join.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.shortcuts import get_object_or_404

from pathways.access import Access, access_of
from pathways.models import (
    Pathway,
    Report,
    ReviewerOrganisation,
)
from pathways.selectors import conclusion_scope, scoped
from reviewapp.enums import Position
from reviewapp.models import Verdict

CONCURRING = {Position.CONCUR, Position.CONCUR_WITH_RESERVATIONS}


def verdict_scope(access: Access, path: str = "") -> Q:
    """Verdicts (current and earlier) on the conclusions this person may see, whoever recorded them."""
    return conclusion_scope(access, f"{path}conclusion__")


def verdicts_visible_to(person) -> QuerySet[Verdict]:
    return scoped(Verdict, verdict_scope, person)


def current_verdicts_visible_to(person) -> QuerySet[Verdict]:
    """The one current verdict per organisation on each conclusion this person may see."""
    return verdicts_visible_to(person).filter(is_current=True)


def with_verdict_summary(pathways: QuerySet[Pathway]) -> QuerySet[Pathway]:
    """Pathways (already cut to the reader's scope) each annotated with `verdict_summary`:
    its conclusion's current verdicts (organisation, position, label, stale), gathered in
    the same query. A verdict goes with its conclusion, which goes with its pathway, so a
    reader who sees the pathway sees these."""
    summary = (
        Verdict.objects.filter(is_current=True, conclusion__pathway=OuterRef("pk"))
        .order_by("organisation__name")
        .values(
            json=JSONObject(
                organisation="organisation__name",
                position="position",
                label=Case(*[When(position=value, then=Value(label)) for value, label in Position.choices]),
                stale=ExpressionWrapper(~Q(conclusion_revision=F("conclusion__revision")), output_field=BooleanField()),
            )
        )
    )
    return pathways.annotate(verdict_summary=ArraySubquery(summary))


def reviewing_organisation(person, report: Report) -> ReviewerOrganisation | None:
    """The organisation this person records verdicts for on this report, or None (no query)."""
    return access_of(person).on(report).reviewing_organisation


def verdict_for_user(person, report: Report, pk: int) -> Verdict:
    """The verdict with its conclusion and organisation, in this report and this person's scope, or Http404."""
    verdicts = (
        verdicts_visible_to(person)
        .filter(conclusion__report=report)
        .select_related("conclusion__pathway", "organisation")
    )
    return get_object_or_404(verdicts, pk=pk)
