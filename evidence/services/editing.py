"""Authors' edits to evidence items and to the evidence a claim cites.

Same rules as the edits in pathways.services: the row is locked, the version the edit
started from is compared (EditConflict on a mismatch, nothing saved), every saved change
raises the version once and writes one audit entry with the before and after of each field.
"""

from django.db import transaction

from evidence.enums import EvidenceKind, Relation
from evidence.models import ClaimEvidence, Evidence
from evidence.search import search_index_evidence
from evidence.selectors import report_teams
from pathways.access import access_of
from pathways.audit import field_changes, log_action
from pathways.enums import Sensitivity
from pathways.models import Claim, Team, User
from pathways.services import EditConflict, EditRefused, claim_lock, claim_update, text_errors

EVIDENCE_MARKDOWN_FIELDS = ("summary",)
EVIDENCE_PLAIN_FIELDS = ("title", "source")


def _given(**values) -> dict:
    return {name: value for name, value in values.items() if value is not None}


@transaction.atomic
def evidence_update(
    *,
    evidence: Evidence,
    editor: User,
    version: int,
    title: str | None = None,
    kind: str | None = None,
    sensitivity: str | None = None,
    source: str | None = None,
    summary: str | None = None,
) -> Evidence:
    """Change an evidence item's summary (and title, kind, sensitivity, source), if it is still at `version`."""
    locked = Evidence.objects.select_for_update(of=("self",)).select_related("report", "owner_team").get(pk=evidence.pk)
    if locked.version != version:
        raise EditConflict(current=locked)
    if not access_of(editor).on(locked.report_id).may_edit:
        raise EditRefused({"__all__": ["Only the report's authors edit it."]})
    values = _given(title=title, kind=kind, sensitivity=sensitivity, source=source, summary=summary)
    errors = text_errors(values, markdown=EVIDENCE_MARKDOWN_FIELDS, plain=EVIDENCE_PLAIN_FIELDS)
    if title is not None and not title.strip():
        errors.setdefault("title", []).append("An evidence item needs a title.")
    if kind is not None and kind not in EvidenceKind.values:
        errors["kind"] = [f"'{kind}' is not a kind of evidence."]
    if sensitivity is not None and sensitivity not in Sensitivity.values:
        errors["sensitivity"] = [f"'{sensitivity}' is not a sensitivity level."]
    if errors:
        raise EditRefused(errors)
    changes = field_changes(locked, values)
    if not changes:
        return locked
    for name in changes:
        setattr(locked, name, values[name])
    locked.version += 1
    locked.save(update_fields=[*changes, "version"])
    search_index_evidence(locked)
    log_action(
        report=locked.report,
        actor=editor,
        action="evidence.evidence.changed",
        target=locked,
        data={"changes": changes, "version": {"before": version, "after": locked.version}},
    )
    return locked


def claim_evidence_lines(claim: Claim) -> list[str]:
    """The claim's evidence links as lines for the change history: "supports: Egress review"."""
    links = ClaimEvidence.objects.filter(claim=claim).select_related("evidence").order_by("relation", "position", "id")
    return [f"{Relation(link.relation).label.lower()}: {link.evidence.title}" for link in links]


@transaction.atomic
def claim_update_with_evidence(
    *,
    claim: Claim,
    editor: User,
    version: int,
    evidence_links: list[tuple[Evidence, str]] | None = None,
    **claim_fields,
) -> Claim:
    """`pathways.services.claim_update`, plus setting the evidence the claim cites.

    `evidence_links` is the whole new list of (evidence item, relation); every item must be in
    the claim's report. The links and the claim's own fields change together, in one version
    and one audit entry, or not at all. A new owning team must own something in the report
    already (`report_teams`); the change is also logged as an access change.
    """
    locked = claim_lock(claim=claim, version=version)
    before_team = locked.owner_team
    after_team: Team | None = claim_fields.get("owner_team")
    given = after_team if after_team is not None and after_team.pk != before_team.pk else None
    if given is not None and not report_teams(locked.report).filter(pk=given.pk).exists():
        raise EditRefused(
            {"owner_team": [f"{given.name} owns nothing in this report: a claim goes to one of its own teams."]}
        )
    extra_changes = {}
    if evidence_links is not None:
        extra_changes = _set_evidence_links(claim=locked, links=evidence_links)
    saved = claim_update(claim=locked, editor=editor, version=version, extra_changes=extra_changes, **claim_fields)
    if given is not None:
        # An access change as well as an edit: the new team's members read the whole report.
        log_action(
            report=saved.report,
            actor=editor,
            action="pathways.access.team_given_claim",
            target=saved,
            data={
                "changes": {
                    "owner_team": {"before": before_team.name, "after": given.name},
                    "readers_through_the_team": {
                        "before": [],
                        "after": sorted(str(member) for member in given.members.all()),
                    },
                }
            },
        )
    return saved


def _set_evidence_links(*, claim: Claim, links: list[tuple[Evidence, str]]) -> dict:
    errors = []
    if any(evidence.report_id != claim.report_id for evidence, _ in links):
        errors.append("A claim can only cite evidence of its own report.")
    if any(relation not in Relation.values for _, relation in links):
        errors.append("A link is supports, undermines or context.")
    if len({evidence.pk for evidence, _ in links}) != len(links):
        errors.append("Each evidence item is linked once, with one relation.")
    if errors:
        raise EditRefused({"evidence_links": errors})

    before = claim_evidence_lines(claim)
    wanted = {evidence.pk: relation for evidence, relation in links}
    current = {link.evidence_id: link for link in ClaimEvidence.objects.filter(claim=claim)}
    ClaimEvidence.objects.filter(claim=claim).exclude(evidence_id__in=list(wanted)).delete()
    next_position = max((link.position for link in current.values()), default=-1) + 1
    for evidence_id, relation in wanted.items():
        link = current.get(evidence_id)
        if link is None:
            ClaimEvidence.objects.create(
                claim=claim, evidence_id=evidence_id, relation=relation, position=next_position
            )
            next_position += 1
        elif link.relation != relation:
            link.relation = relation
            link.save(update_fields=["relation"])
    after = claim_evidence_lines(claim)
    return {"evidence": {"before": before, "after": after}} if before != after else {}
