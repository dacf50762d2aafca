"""Scoped reads of evidence.

Rule: an evidence item is visible when its sensitivity is at or below the person's
reading level and either they see its report whole, or it backs a claim they can see
(so a pathway-limited external reviewer sees the evidence of their pathways' claims).
"""

from functools import reduce
from operator import or_

from django.db.models import Aggregate, Count, DurationField, Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from evidence.enums import Carried
from evidence.models import ChainStep, ClaimEvidence, DetectionChain, Evidence, InformationRequest, LineOfDefence
from pathways.access import REQUEST_OVERSEERS, Access, access_of
from pathways.models import Claim, Report, Team
from pathways.selectors import (
    NOTHING,
    any_of,
    both,
    claim_scope,
    ids,
    in_reports,
    pathway_scope,
    readable,
    readable_in_scope,
    scoped,
)


def evidence_scope(access: Access, path: str = "") -> Q:
    """Evidence at or below the reading level, in reports seen whole or backing a claim
    (at or below the level too) that rests on a granted pathway, all three of one report."""
    return readable_in_scope(
        access,
        path,
        lambda pathway_ids: Exists(
            ClaimEvidence.objects.filter(
                evidence_id=OuterRef(f"{path}id"),
                claim__report_id=OuterRef(f"{path}report_id"),
                claim__sensitivity__in=access.readable,
                claim__pathway_links__pathway_id__in=pathway_ids,
                claim__pathway_links__pathway__report_id=OuterRef(f"{path}report_id"),
            )
        ),
    )


def evidence_visible_to(person) -> QuerySet[Evidence]:
    return scoped(Evidence, evidence_scope, person)


def claim_evidence_scope(access: Access, path: str = "") -> Q:
    """Links between a claim and an evidence item where the person may read both."""
    claims, evidence = claim_scope(access, f"{path}claim__"), evidence_scope(access, f"{path}evidence__")
    return NOTHING if NOTHING in (claims, evidence) else claims & evidence


def claim_evidence_visible_to(person) -> QuerySet[ClaimEvidence]:
    """Links between a claim and an evidence item, shown only where the person may read both."""
    return scoped(ClaimEvidence, claim_evidence_scope, person)


def subject_scope(access: Access, path: str, subjects: dict) -> Q:
    """Rows about one subject each (`subjects`: field name → that subject's scope), in the
    row's own report, which the database keeps the subject's. In a report seen whole: the
    row's report, and below internal level the subject's sensitivity; in a report seen
    through granted pathways: the subject's own scope, by joins."""
    whole = in_reports(access.whole_report_ids, path)
    if whole is not None and not access.reads_everything:
        for name in ("claim", "evidence"):
            if name in subjects:
                whole &= Q(**{f"{path}{name}__isnull": True}) | Q(**{f"{path}{name}__sensitivity__in": access.readable})
        if "chain_step" in subjects:
            whole &= Q(**{f"{path}chain_step__isnull": True}) | Q(
                **{
                    f"{path}chain_step__sensitivity__in": access.readable,
                    f"{path}chain_step__chain__sensitivity__in": access.readable,
                }
            )
    limited = None
    if access.limited_report_ids:
        reached = any_of(*(scope(access, f"{path}{name}__") for name, scope in subjects.items()))
        if reached is not NOTHING:
            limited = both(in_reports(access.limited_report_ids, path), reached)
    return any_of(whole, limited)


def information_request_scope(access: Access, path: str = "") -> Q:
    """Information requests this person may read.

    Rule: authors and leadership of a report see every request on it; reviewers see the
    requests of their own reviewer organisation; members of an owning team see the
    requests addressed to their team. In every case only requests whose subject (the
    pathway, claim or evidence item asked about) the person can see — so an out-of-scope
    pathway or an item above their level hides the request, its thread and its counts.
    External people are never authors, leadership or team members.
    """
    about = subject_scope(
        access,
        path,
        {"pathway": pathway_scope, "claim": claim_scope, "evidence": evidence_scope, "chain_step": step_scope},
    )
    overseen = access.report_ids_with(REQUEST_OVERSEERS) if not access.is_external else ()
    reader = any_of(
        Q(**{f"{path}team_id__in": ids(access.team_ids)}) if access.team_ids else None,
        Q(**{f"{path}organisation_id": access.organisation_id}) if access.organisation_id else None,
        Q(**{f"{path}report_id__in": ids(overseen)}) if overseen else None,
    )
    if about is NOTHING or reader is NOTHING:
        return NOTHING
    return about & reader


def information_requests_visible_to(person) -> QuerySet[InformationRequest]:
    return scoped(InformationRequest, information_request_scope, person)


def defence_scope(access: Access, path: str = "") -> Q:
    """Lines of defence go with their pathway (read from the line's own report and pathway
    columns, which the database keeps its pathway's), at or below the reading level."""
    reach = any_of(
        in_reports(access.whole_report_ids, path),
        Q(**{f"{path}pathway_id__in": ids(access.limited_pathway_ids)}) if access.limited_pathway_ids else None,
    )
    sensitivity = readable(access, path)
    return reach if reach is NOTHING or sensitivity is None else sensitivity & reach


def lines_visible_to(person) -> QuerySet[LineOfDefence]:
    return scoped(LineOfDefence, defence_scope, person)


def line_for_user(person, report: Report, slug: str) -> LineOfDefence:
    """The line of defence with its pathway, in this report and this person's scope, or Http404."""
    return get_object_or_404(lines_visible_to(person).filter(report=report).select_related("pathway"), slug=slug)


def chain_scope(access: Access, path: str = "") -> Q:
    """Detection chains go with their pathway, at or below the reading level, as lines of
    defence do (their report and pathway columns are kept consistent by the database)."""
    return defence_scope(access, path)


def step_scope(access: Access, path: str = "") -> Q:
    """A chain's step: at or below the reading level, on a chain the person reads."""
    chains = chain_scope(access, f"{path}chain__")
    sensitivity = readable(access, path)
    return chains if chains is NOTHING or sensitivity is None else sensitivity & chains


def chains_visible_to(person) -> QuerySet[DetectionChain]:
    return scoped(DetectionChain, chain_scope, person)


def steps_visible_to(person) -> QuerySet[ChainStep]:
    return scoped(ChainStep, step_scope, person)


def chain_for_user(person, report: Report, slug: str) -> DetectionChain:
    """The detection chain with its pathway, in this report and this person's scope, or Http404."""
    return get_object_or_404(chains_visible_to(person).filter(report=report).select_related("pathway"), slug=slug)


def step_for_user(person, report: Report, chain_slug: str, step_id: int) -> ChainStep:
    """The step of the chain, with its chain, pathway and owning team, in this report and
    this person's scope, or Http404. A step is named by its id, not its number: a reader
    numbers only the steps they see, so a number would differ between readers (and a gap
    in them would hint at a step above the reader's level)."""
    steps = steps_visible_to(person).filter(chain__report=report, chain__slug=chain_slug, pk=step_id)
    return get_object_or_404(steps.select_related("chain__pathway", "owner_team"))


class Median(Aggregate):
    """PostgreSQL's median of a duration (or number): percentile_cont(0.5)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def evidence_for_user(person, report: Report, slug: str) -> Evidence:
    """The evidence item with its owning team, in this report and this person's scope, or Http404."""
    items = evidence_visible_to(person).filter(report=report).select_related("owner_team")
    return get_object_or_404(items, slug=slug)


def information_request_for_user(person, report: Report, pk: int) -> InformationRequest:
    """The request with its team, organisation, requester and subject, in this report and
    this person's scope, or Http404."""
    requests = (
        information_requests_visible_to(person)
        .filter(report=report)
        .select_related(
            "team", "organisation", "requester", "pathway", "claim", "evidence", "chain_step__chain__pathway"
        )
    )
    return get_object_or_404(requests, pk=pk)


def information_request_team_summary(user, *, report, today) -> QuerySet:
    """Per owning team, of the requests on `report` this person may see (and no other):
    how many are open (the team owes an answer), how many of those are overdue, and the
    median time from filing to the first answer. Rows are dicts with team__slug,
    team__name, open_count, overdue_count and median_first_answer."""
    return (
        information_requests_visible_to(user)
        .filter(report=report)
        .values("team__slug", "team__name")
        .annotate(
            open_count=Count("id", filter=InformationRequest.open_requests()),
            overdue_count=Count("id", filter=InformationRequest.overdue_on(today)),
            median_first_answer=Median(
                F("first_answered_at") - F("created_at"), filter=Q(first_answered_at__isnull=False)
            ),
        )
        .order_by("team__name")
    )


def teams_of(person) -> QuerySet[Team]:
    """The owning teams this person is a member of."""
    return Team.objects.filter(id__in=ids(access_of(person).team_ids))


def carried_forward_to_teams(person) -> QuerySet[Evidence]:
    """The evidence items the person's teams must still confirm or replace, across the reports
    they see, in each report's order."""
    access = access_of(person)
    return (
        evidence_visible_to(access)
        .filter(carried=Carried.UNCONFIRMED, owner_team_id__in=ids(access.team_ids))
        .select_related("report", "owner_team")
        .order_by("report__title", "report_id", "position", "id")
    )


def unconfirmed_in_report(person, report: Report) -> int:
    """How many carried-forward items of the report, among those the person may read, are
    still to be confirmed or replaced."""
    return evidence_visible_to(person).filter(report=report, carried=Carried.UNCONFIRMED).count()


def report_teams(report: Report, *, keeping: int | None = None) -> QuerySet[Team]:
    """The teams that own something in this report: the ones a claim or a mitigation can be
    given to; with `keeping`, that team too (the thing's own team, which may own nothing here
    any more). Giving a claim to a team of another report would let that team's members read
    this one (owning-team access) without a grant, so no editor offers one."""
    owned = _owning(
        report, (Claim, "report"), (Evidence, "report"), (LineOfDefence, "report"), (ChainStep, "chain__report")
    )
    if keeping is not None:
        owned.append(Q(pk=keeping))
    return Team.objects.filter(reduce(or_, owned)).order_by("name")


def reading_teams(report: Report) -> QuerySet[Team]:
    """The teams whose members read the report through it: those owning a claim or an
    evidence item there (the access rule, `pathways.access`)."""
    return Team.objects.filter(reduce(or_, _owning(report, (Claim, "report"), (Evidence, "report")))).order_by("name")


def _owning(report: Report, *kinds) -> list[Q | Exists]:
    """For each (model, path to its report): the team owns one of those in the report."""
    return [Exists(model.objects.filter(owner_team=OuterRef("pk"), **{where: report})) for model, where in kinds]
