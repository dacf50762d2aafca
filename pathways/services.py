"""Writes to reports, access and the report's content. Each function is one transaction and
raises a domain error with a message fit for the person at the keyboard: `AccessError` on a
bad grant, `EditRefused` on a bad edit, `EditConflict` when an edit started from an older version."""

from django.db import transaction
from django.db.models import Max

from pathways.access import access_of
from pathways.audit import field_changes, log_action
from pathways.enums import (
    ClaimCategory,
    ReportStatus,
    RiskLevel,
    Sensitivity,
)
from pathways.models import (
    Claim,
    Conclusion,
    Pathway,
    PathwayClaim,
    Report,
    Team,
    User,
)
from pathways.people import (  # noqa: F401 (the access changes live there; imported from here too)
    AccessError,
    access_grant,
    access_revoke,
    groups_granting,
    team_member_add,
)
from pathways.search import search_index_claim, search_index_conclusion, search_index_pathway
from pathways.text import has_span_markup, span_errors

ALLOWED_STATUS_CHANGES: dict[str, set[str]] = {
    ReportStatus.DRAFT: {ReportStatus.IN_REVIEW},
    ReportStatus.IN_REVIEW: {ReportStatus.DRAFT},
}


@transaction.atomic
def report_status_change(*, report: Report, editor: User, status: str) -> Report:
    """Authors open a draft for review or take it back to draft. Sign-off is recorded by leadership."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if status not in ALLOWED_STATUS_CHANGES.get(report.status, set()):
        raise ValueError(
            f"a {ReportStatus(report.status).label.lower()} report cannot move to {ReportStatus(status).label.lower()}"
        )
    changes = field_changes(report, {"status": status})
    report.status = status
    report.save(update_fields=["status", "updated_at"])
    log_action(
        report=report, actor=editor, action="pathways.report.status_changed", target=report, data={"changes": changes}
    )
    return report


# --------------------------------------------------------------------------- authoring
#
# Authors edit pathways, claims and conclusions in place. Every edit carries the version it
# started from; the row is locked and the version compared, so of two people saving over the
# same version exactly one wins and the other gets an EditConflict with the saved values.
# Nothing is overwritten without the person having seen what is there now.


class EditConflict(Exception):
    """Someone saved a newer version since this edit started; nothing was saved.

    `current` is the row as it is now (locked and re-read), so the person can compare
    their text with what is saved and start again from it.
    """

    def __init__(self, *, current, version_field: str = "version"):
        self.current = current
        self.version_field = version_field
        self.current_version = getattr(current, version_field)
        noun = current._meta.verbose_name
        super().__init__(
            f"This {noun} was changed by someone else while you were editing (it is now at "
            f"{version_field} {self.current_version}); nothing of yours was saved "
            "and nothing of theirs was overwritten."
        )


class EditRefused(ValueError):
    """An edit that must not happen; `errors` says why, field by field."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, messages in errors.items() for message in messages))


PATHWAY_MARKDOWN_FIELDS = ("critical_action", "argument")
CLAIM_MARKDOWN_FIELDS = ("rationale",)
CONCLUSION_MARKDOWN_FIELDS = ("text",)


def text_errors(values: dict, *, markdown: tuple = (), plain: tuple = ()) -> dict[str, list[str]]:
    """Redaction-span problems of the given values: Markdown fields need well-formed spans,
    plain-text fields (never redacted) may hold none. Shared by the forms and the services."""
    errors: dict[str, list[str]] = {}
    for name in markdown:
        if values.get(name) is not None and (problems := span_errors(values[name])):
            errors[name] = problems
    for name in plain:
        if values.get(name) is not None and has_span_markup(values[name]):
            errors[name] = ["Redaction spans are only allowed in Markdown fields: this text is shown to every reader."]
    return errors


def _require_author(*, editor: User, report: Report) -> None:
    if not access_of(editor).on(report).may_edit:
        raise EditRefused({"__all__": ["Only the report's authors edit it."]})


def _apply(instance, values: dict, *, version_field: str, extra_fields: tuple = ()) -> dict:
    """Set the changed values on the locked instance, raise its version, save; return the changes."""
    changes = field_changes(instance, values)
    if not changes:
        return {}
    for name in changes:
        setattr(instance, name, values[name])
    setattr(instance, version_field, getattr(instance, version_field) + 1)
    instance.save(update_fields=[*changes, version_field, *extra_fields])
    return changes


def _given(**values) -> dict:
    """The keyword arguments actually given: None means "leave as it is"."""
    return {name: value for name, value in values.items() if value is not None}


@transaction.atomic
def pathway_update(
    *, pathway: Pathway, editor: User, version: int, critical_action: str | None = None, argument: str | None = None
) -> Pathway:
    """Change a pathway's critical action and/or argument, if it is still at `version`."""
    locked = Pathway.objects.select_for_update(of=("self",)).select_related("report").get(pk=pathway.pk)
    if locked.version != version:
        raise EditConflict(current=locked)
    _require_author(editor=editor, report=locked.report)
    values = _given(critical_action=critical_action, argument=argument)
    if errors := text_errors(values, markdown=PATHWAY_MARKDOWN_FIELDS):
        raise EditRefused(errors)
    if changes := _apply(locked, values, version_field="version"):
        search_index_pathway(locked)
        log_action(
            report=locked.report,
            actor=editor,
            action="pathways.pathway.changed",
            target=locked,
            data={"changes": changes, "version": {"before": version, "after": locked.version}},
        )
    return locked


@transaction.atomic
def conclusion_update(*, conclusion: Conclusion, editor: User, revision: int, risk_level: str, text: str) -> Conclusion:
    """Change a conclusion's risk level and text, if it is still at `revision`. The revision
    goes up exactly when one of them changes, which makes verdicts given on it stale."""
    locked = (
        Conclusion.objects.select_for_update(of=("self",)).select_related("report", "pathway").get(pk=conclusion.pk)
    )
    if locked.revision != revision:
        raise EditConflict(current=locked, version_field="revision")
    _require_author(editor=editor, report=locked.report)
    errors = text_errors({"text": text}, markdown=CONCLUSION_MARKDOWN_FIELDS)
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = [f"'{risk_level}' is not a risk level."]
    if errors:
        raise EditRefused(errors)
    if changes := _apply(
        locked, {"risk_level": risk_level, "text": text}, version_field="revision", extra_fields=("updated_at",)
    ):
        search_index_conclusion(locked)
        log_action(
            report=locked.report,
            actor=editor,
            action="pathways.conclusion.changed",
            target=locked,
            data={"changes": changes, "revision": {"before": revision, "after": locked.revision}},
        )
    return locked


def claim_lock(*, claim: Claim, version: int) -> Claim:
    """The claim, locked for this transaction, or EditConflict when it is no longer at `version`.
    For services that change a claim together with rows outside `pathways` (its evidence links)."""
    locked = Claim.objects.select_for_update(of=("self",)).select_related("report", "owner_team").get(pk=claim.pk)
    if locked.version != version:
        raise EditConflict(current=locked)
    return locked


def claim_pathway_titles(claim: Claim) -> list[str]:
    return [link.pathway.title for link in claim.pathway_links.select_related("pathway").order_by("pathway__position")]


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    editor: User,
    version: int,
    statement: str | None = None,
    rationale: str | None = None,
    category: str | None = None,
    sensitivity: str | None = None,
    owner_team: Team | None = None,
    pathways: list[Pathway] | None = None,
    extra_changes: dict | None = None,
) -> Claim:
    """Change a claim and the pathways that rest on it, if it is still at `version`.

    `pathways` must all be in the claim's report. `extra_changes` are changes a caller has
    already made in this transaction to rows outside `pathways` (the evidence links, see
    evidence.services.editing), recorded in the same audit entry and version.
    """
    locked = claim_lock(claim=claim, version=version)
    _require_author(editor=editor, report=locked.report)
    values = _given(statement=statement, rationale=rationale, category=category, sensitivity=sensitivity)
    errors = text_errors(values, markdown=CLAIM_MARKDOWN_FIELDS, plain=("statement",))
    if statement is not None and not statement.strip():
        errors.setdefault("statement", []).append("A claim needs a statement.")
    if category is not None and category not in ClaimCategory.values:
        errors["category"] = [f"'{category}' is not a claim category."]
    if sensitivity is not None and sensitivity not in Sensitivity.values:
        errors["sensitivity"] = [f"'{sensitivity}' is not a sensitivity level."]
    foreign = [pathway for pathway in pathways or [] if pathway.report_id != locked.report_id]
    if foreign:
        errors["pathways"] = ["A claim can only be linked to pathways of its own report."]
    if errors:
        raise EditRefused(errors)

    changes = dict(extra_changes or {})
    if owner_team is not None and owner_team.pk != locked.owner_team_id:
        changes["owner_team"] = {"before": locked.owner_team.name, "after": owner_team.name}
        locked.owner_team = owner_team
    if pathways is not None:
        changes.update(_set_pathway_links(locked, pathways))
    field_values = field_changes(locked, values)
    for name in field_values:
        setattr(locked, name, values[name])
    changes.update(field_values)
    if not changes:
        return locked
    locked.version += 1
    locked.save(update_fields=[*field_values, "owner_team", "version"])
    search_index_claim(locked)
    log_action(
        report=locked.report,
        actor=editor,
        action="pathways.claim.changed",
        target=locked,
        data={"changes": changes, "version": {"before": version, "after": locked.version}},
    )
    return locked


def _set_pathway_links(claim: Claim, pathways: list[Pathway]) -> dict:
    before = claim_pathway_titles(claim)
    wanted = {pathway.pk: pathway for pathway in pathways}
    current = set(claim.pathway_links.values_list("pathway_id", flat=True))
    claim.pathway_links.exclude(pathway_id__in=list(wanted)).delete()
    for pathway_id in wanted.keys() - current:
        # A newly linked claim goes to the end of the pathway's list.
        last = PathwayClaim.objects.filter(pathway_id=pathway_id).aggregate(last=Max("position"))["last"]
        PathwayClaim.objects.create(pathway_id=pathway_id, claim=claim, position=0 if last is None else last + 1)
    after = claim_pathway_titles(claim)
    return {"pathways": {"before": before, "after": after}} if before != after else {}
