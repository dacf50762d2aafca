"""The next model's report, started from the last one, and the evidence carried into it.

Rules:
- Starting the next report copies the report as its internal report file holds it
  (`report_document`): pathways, claims, evidence, their links, the conclusions as the
  authors' starting point, and the teams (teams are shared across reports, so the same
  teams own the copies). Nothing of the review is copied — grants, verdicts, comments,
  requests, sign-offs, published versions — and the new report is a draft, with no version
  label or evidence cut-off of its own yet, linked to the report it came from.
- Every copied evidence item is carried forward: it holds for the new model only once its
  owning team (or an author) confirms it with a note or replaces it with its new state.
  Each item is decided once: the row is locked, and a second decision is refused.
- What was written is audited on the new report; whoever starts it from the app is made
  an author of it (access is otherwise given anew).
"""

import re

from django.db import transaction
from django.utils import timezone

from evidence.enums import Carried
from evidence.models import Evidence
from evidence.report_file import report_document, report_import
from evidence.search import search_index_evidence
from evidence.services.editing import EVIDENCE_MARKDOWN_FIELDS, EVIDENCE_PLAIN_FIELDS
from pathways.access import access_of
from pathways.audit import field_changes, log_action
from pathways.models import Report, User
from pathways.services import EditConflict, EditRefused, access_grant, text_errors

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TITLE_MAX: int = Report._meta.get_field("title").max_length or 300
MODEL_MAX: int = Report._meta.get_field("model_name").max_length or 300
SLUG_MAX: int = Report._meta.get_field("slug").max_length or 50


def next_title(report: Report, model_name: str) -> str:
    """The new report's title when none is given: the old one with the new model's name."""
    if report.model_name and report.model_name in report.title:
        return report.title.replace(report.model_name, model_name)
    return f"{report.title} ({model_name})"[:TITLE_MAX]


def _next_errors(*, slug: str, model_name: str, title: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not slug:
        errors["slug"] = ["Give the new report a slug, such as “model-2-risk-report”."]
    elif len(slug) > SLUG_MAX or not SLUG.match(slug):
        errors["slug"] = [f"Use lower-case letters, digits and single hyphens, at most {SLUG_MAX} characters."]
    elif Report.objects.filter(slug=slug).exists():
        errors["slug"] = [f"A report called “{slug}” exists already: choose another slug."]
    if not model_name:
        errors["model_name"] = ["Name the model the new report is about."]
    elif len(model_name) > MODEL_MAX:
        errors["model_name"] = [f"Keep the model's name to {MODEL_MAX} characters."]
    if len(title) > TITLE_MAX:
        errors["title"] = [f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."]
    return errors


@transaction.atomic
def report_start_next(
    *, report: Report, slug: str, model_name: str, title: str = "", starter: User | None = None
) -> Report:
    """A new draft report for the next model, copied from `report` (see the module's rules).

    `starter`: the author who starts it in the app (they become its author); None from the
    command line. Raises EditRefused, having written nothing, for a bad or taken slug, a
    missing model name, an over-long title, or a starter who is not an author of `report`.
    """
    if starter is not None and not access_of(starter).on(report).may_edit:
        raise EditRefused({"__all__": ["Only the report's authors start the next report from it."]})
    slug, model_name, title = (slug or "").strip(), (model_name or "").strip(), (title or "").strip()
    errors = _next_errors(slug=slug, model_name=model_name, title=title)
    if errors:
        raise EditRefused(errors)
    document = report_document(report=report)
    section = {key: value for key, value in document["report"].items() if key not in ("version", "evidence_cutoff")}
    section.update(slug=slug, model=model_name, title=title or next_title(report, model_name))
    created = report_import(document={**document, "report": section})
    created.predecessor = report
    created.save(update_fields=["predecessor", "updated_at"])
    copied_from = dict(Evidence.objects.filter(report=report).values_list("slug", "id"))
    copies = list(Evidence.objects.filter(report=created))
    for item in copies:
        item.carried_from_id, item.carried = copied_from[item.slug], Carried.UNCONFIRMED
    Evidence.objects.bulk_update(copies, ["carried_from", "carried"])
    if starter is not None:
        access_grant(report=created, user=starter, role="author")
    log_action(
        report=created,
        actor=starter,
        action="evidence.report.started_from",
        target=created,
        data={
            "from": report.slug,
            "model": model_name,
            "pathways": len(document.get("pathways", [])),
            "claims": len(document.get("claims", [])),
            "evidence": len(copies),
        },
    )
    return created


def _locked_carried(evidence: Evidence, person: User) -> Evidence:
    """The item, locked, after checking it still waits and the person may decide it."""
    locked = Evidence.objects.select_for_update(of=("self",)).select_related("report", "owner_team").get(pk=evidence.pk)
    scope = access_of(person).on(locked.report_id)
    if not (scope.may_edit or locked.owner_team_id in scope.access.team_ids):
        raise EditRefused({"__all__": [f"Only {locked.owner_team.name} or the report's authors decide this item."]})
    if locked.carried == Carried.NOT_CARRIED:
        raise EditRefused({"__all__": ["This item was written for this report: there is nothing to confirm."]})
    if locked.carried != Carried.UNCONFIRMED:
        state, who = Carried(locked.carried).label.lower(), locked.carried_decided_by or "someone"
        raise EditRefused({"__all__": [f"This item is already {state} (by {who}); nothing was changed."]})
    return locked


def _decided(locked: Evidence, person: User, state: str, note: str) -> None:
    locked.carried, locked.carried_note = state, note
    locked.carried_decided_by, locked.carried_decided_at = person, timezone.now()


@transaction.atomic
def evidence_carry_confirm(*, evidence: Evidence, person: User, note: str) -> Evidence:
    """The owning team says the item still holds for the new model, and why."""
    note = (note or "").strip()
    if not note:
        raise EditRefused({"note": ["Say why it still holds for this model (what you checked)."]})
    if errors := text_errors({"note": note}, plain=("note",)):
        raise EditRefused(errors)
    locked = _locked_carried(evidence, person)
    _decided(locked, person, Carried.CONFIRMED, note)
    locked.save(update_fields=["carried", "carried_note", "carried_decided_by", "carried_decided_at"])
    log_action(
        report=locked.report,
        actor=person,
        action="evidence.evidence.confirmed",
        target=locked,
        data={"note": note, "carried_from": locked.carried_from_id},
    )
    return locked


@transaction.atomic
def evidence_carry_replace(
    *, evidence: Evidence, person: User, version: int, title: str, summary: str, source: str, note: str = ""
) -> Evidence:
    """The owning team gives the item's new state for the new model (title, summary, source),
    if it is still at `version`; its links and sensitivity stay."""
    title, summary, source, note = ((value or "").strip() for value in (title, summary, source, note))
    values = {"title": title, "summary": summary, "source": source}
    errors = text_errors(
        {**values, "note": note}, markdown=EVIDENCE_MARKDOWN_FIELDS, plain=(*EVIDENCE_PLAIN_FIELDS, "note")
    )
    if not title:
        errors.setdefault("title", []).append("An evidence item needs a title.")
    if not summary:
        errors.setdefault("summary", []).append("Say what the evidence shows for this model.")
    if errors:
        raise EditRefused(errors)
    locked = _locked_carried(evidence, person)
    if locked.version != version:
        raise EditConflict(current=locked)
    changes = field_changes(locked, values)
    if not changes:
        raise EditRefused({"summary": ["Nothing was changed: to keep the item as it is, confirm it instead."]})
    for name in changes:
        setattr(locked, name, values[name])
    locked.version += 1
    _decided(locked, person, Carried.REPLACED, note)
    locked.save(
        update_fields=[*changes, "version", "carried", "carried_note", "carried_decided_by", "carried_decided_at"]
    )
    search_index_evidence(locked)
    log_action(
        report=locked.report,
        actor=person,
        action="evidence.evidence.replaced",
        target=locked,
        data={"changes": changes, "version": {"before": version, "after": locked.version}, "note": note},
    )
    return locked
