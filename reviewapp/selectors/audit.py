"""Scoped reads of the audit log.

Rule: entries are internal material (earlier texts keep their internal spans, entries name
internal items), so an external reviewer sees none. An internal person sees an entry of a
report they can open only when they may see what it is about, its target:
- an edit, comment or verdict (targets a pathway, claim, evidence item, conclusion,
  comment or verdict), or an entry about the report itself: always in a report they see
  whole, where every such target is theirs to read (a target deleted since stays named);
  otherwise only while the target is in their scope;
- an information request: while the request is in their scope
  (`information_request_scope`: their organisation's, their team's, or every one on a
  report they author or lead);
- a sign-off: on a report whose sign-off pages they may open (authors, leadership);
- a change of access (the target is a person or an invitation): for those who manage the
  report's people, its authors and leadership;
- a mitigation on the roadmap: in a report they see whole (the roadmap's own rule,
  `reviewapp.selectors.roadmap`; externals see no entry at all);
- an export: their own, or on a report they author or lead;
- anything else: nobody, until a rule for it is written here.
"""

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404

from evidence.models import Evidence, InformationRequest
from evidence.selectors import evidence_scope, information_request_scope
from pathways.access import DASHBOARD_ROLES, REQUEST_OVERSEERS, Access
from pathways.models import AuditEntry, Claim, Conclusion, Pathway
from pathways.selectors import NOTHING, any_of, claim_scope, conclusion_scope, ids, pathway_scope, scoped
from reviewapp.models import Comment, Finding, RoadmapItem, Verdict
from reviewapp.selectors.comments import comment_scope
from reviewapp.selectors.findings import finding_scope
from reviewapp.selectors.verdicts import verdict_scope

# Targets whose scope follows the report: whoever sees the report whole reads them all.
CONTENT_TARGETS = {
    "pathway": (Pathway, pathway_scope),
    "claim": (Claim, claim_scope),
    "evidence": (Evidence, evidence_scope),
    "conclusion": (Conclusion, conclusion_scope),
    "comment": (Comment, comment_scope),
    "verdict": (Verdict, verdict_scope),
    "finding": (Finding, finding_scope),
}
REPORT_TARGETS = ["", "report"]
# Targets read only by those who see the report whole (internal: externals see no entry).
WHOLE_REPORT_TARGETS = ["roadmapitem"]


def _target_in(access: Access, model, scope) -> Q:
    """The entry's target is one this person sees, by the target's own scope."""
    target_scope = scope(access)
    if target_scope is NOTHING:
        return NOTHING
    return Q(Exists(model.objects.filter(target_scope, pk=OuterRef("target_id"))))


def audit_entry_scope(access: Access) -> Q:
    if not access.signed_in or access.is_external or not access.visible_report_ids:
        return NOTHING
    whole = ids(access.whole_report_ids)
    limited = ids(access.visible_report_ids - access.whole_report_ids)
    overseen = ids(access.report_ids_with(REQUEST_OVERSEERS) & access.visible_report_ids)
    dashboards = ids(access.report_ids_with(DASHBOARD_ROLES) & access.visible_report_ids)
    content = any_of(
        Q(report_id__in=whole, target_type__in=[*CONTENT_TARGETS, *REPORT_TARGETS, *WHOLE_REPORT_TARGETS])
        if whole
        else None,
        Q(report_id__in=limited, target_type__in=REPORT_TARGETS) if limited else None,
        *(
            Q(report_id__in=limited, target_type=name) & target
            for name, (model, scope) in CONTENT_TARGETS.items()
            if limited and (target := _target_in(access, model, scope)) is not NOTHING
        ),
    )
    requests = any_of(
        Q(report_id__in=overseen) if overseen else None,
        _target_in(access, InformationRequest, information_request_scope),
    )
    exports = any_of(Q(report_id__in=overseen) if overseen else None, Q(actor_id=access.user_id))
    return Q(report_id__in=ids(access.visible_report_ids)) & any_of(
        content,
        Q(target_type="informationrequest") & requests if requests is not NOTHING else None,
        Q(target_type__in=["signoff", "user", "invitation"], report_id__in=dashboards) if dashboards else None,
        Q(target_type="exportjob") & exports,
    )


def audit_entries_visible_to(person) -> QuerySet[AuditEntry]:
    return scoped(AuditEntry, audit_entry_scope, person)


# How each kind of target is named in its page's URL: its slug; a conclusion by its
# pathway's slug ("" for the overall one); a request by its id.
TARGET_KEYS = {
    "pathway": Pathway.objects.filter(pk=OuterRef("target_id")).values("slug"),
    "claim": Claim.objects.filter(pk=OuterRef("target_id")).values("slug"),
    "evidence": Evidence.objects.filter(pk=OuterRef("target_id")).values("slug"),
    "conclusion": Conclusion.objects.filter(pk=OuterRef("target_id")).values(key=Coalesce("pathway__slug", Value(""))),
    "informationrequest": InformationRequest.objects.filter(pk=OuterRef("target_id")).values(
        key=Cast("id", CharField())
    ),
    "roadmapitem": RoadmapItem.objects.filter(pk=OuterRef("target_id")).values(key=Cast("id", CharField())),
}


def with_target_keys(entries):
    """Each entry annotated with `target_key`, what its target's page is found by (None when
    the target is gone, or has no page), in the same query. The entries are already cut to
    what the reader may see, which covers their targets."""
    return entries.annotate(
        target_key=Case(
            *(When(target_type=kind, then=Subquery(key)) for kind, key in TARGET_KEYS.items()),
            output_field=CharField(),
        )
    )


def audit_entry_for_user(person, report, pk) -> AuditEntry:
    """One entry of the report's log with its actor and target key, or 404 when the
    person may not see it (the view has already refused externals the whole log)."""
    entries = audit_entries_visible_to(person).filter(report=report).select_related("actor")
    return get_object_or_404(with_target_keys(entries), pk=pk)
