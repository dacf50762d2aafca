"""Authoring (edits in place, change histories) and the audit log.

Edits are for authors: anyone else who can see the thing gets 403, whoever cannot see it 404.
Change histories and the audit log are internal material: internal staff who see the report
read them; the external reviewer gets 404 even though they can see the report (the entries
name internal items and keep internal text), and so does the outsider.
"""

from pathways.audit import log_action
from tests.reviewapp.matrix import HIDDEN_FROM_EXTERNAL, HTMX, IN_SCOPE, Row

P = {"slug": "pilot"}
NOT_AUTHOR = {**dict.fromkeys(IN_SCOPE, 403), "author": 200, "outsider": 404, "anonymous": 302}
NOT_AUTHOR_HIDDEN = {**NOT_AUTHOR, "external_reviewer": 404}
SAVE = {**NOT_AUTHOR, "author": 302}
SAVE_HIDDEN = {**SAVE, "external_reviewer": 404}
SAVE_HTMX = {**NOT_AUTHOR, "anonymous": 200}  # anonymous: HX-Redirect to the login page
NOT_AUTHOR_HTMX = {**NOT_AUTHOR, "anonymous": 200}
INTERNAL_ONLY = HIDDEN_FROM_EXTERNAL
ALL_404 = {**dict.fromkeys(IN_SCOPE, 404), "outsider": 404, "anonymous": 302}


def _claim_data(world, objects):
    return {
        "version": 1,
        "statement": "Edited statement.",
        "rationale": "Edited rationale.",
        "category": "security",
        "sensitivity": "public",
        "owner_team": world.team.pk,
        "pathways": [world.in_scope.pk],
        "evidence_links": [f"{world.public_evidence.pk}:supports"],
    }


def _internal_claim_data(world, objects):
    return {**_claim_data(world, objects), "sensitivity": "internal"}


EVIDENCE_DATA = {
    "version": 1,
    "title": "Egress review, revised",
    "kind": "audit",
    "sensitivity": "public",
    "source": "doc X-2",
    "summary": "Revised.",
}
CONCLUSION_DATA = {"version": 1, "risk_level": "moderate", "text": "Moderate after all."}


def _an_entry(world, persona):
    return log_action(report=world.report, actor=None, action="pathways.claim.changed", target=world.public_claim)


def _entry_kwargs(world, entry):
    return {**P, "entry_id": entry.pk}


ROWS = [
    # pathway sections
    Row("pathway_edit", NOT_AUTHOR, {**P, "pathway_slug": "exfiltration", "section": "argument"}),
    Row(
        "pathway_edit",
        NOT_AUTHOR_HTMX,
        {**P, "pathway_slug": "exfiltration", "section": "critical-action"},
        headers=HTMX,
    ),
    Row("pathway_edit", NOT_AUTHOR_HIDDEN, {**P, "pathway_slug": "government", "section": "argument"}),
    Row("pathway_edit", ALL_404, {**P, "pathway_slug": "exfiltration", "section": "title"}, label="unknown-section"),
    Row(
        "pathway_edit",
        SAVE,
        {**P, "pathway_slug": "exfiltration", "section": "argument"},
        method="post",
        data={"version": 1, "argument": "A new argument."},
    ),
    Row(
        "pathway_edit",
        SAVE_HTMX,
        {**P, "pathway_slug": "exfiltration", "section": "critical-action"},
        method="post",
        headers=HTMX,
        data={"version": 1, "critical_action": "A new first step."},
    ),
    Row(
        "pathway_edit",
        SAVE_HIDDEN,
        {**P, "pathway_slug": "government", "section": "argument"},
        method="post",
        data={"version": 1, "argument": "A new argument."},
    ),
    # conclusions
    Row("conclusion_edit", NOT_AUTHOR, {**P, "pathway_slug": "exfiltration"}),
    Row("conclusion_edit", NOT_AUTHOR_HIDDEN, {**P, "pathway_slug": "government"}),
    Row("conclusion_edit", SAVE, {**P, "pathway_slug": "exfiltration"}, method="post", data=CONCLUSION_DATA),
    Row(
        "conclusion_edit",
        SAVE_HTMX,
        {**P, "pathway_slug": "backdoors"},
        method="post",
        headers=HTMX,
        data=CONCLUSION_DATA,
    ),
    Row("conclusion_edit", SAVE_HIDDEN, {**P, "pathway_slug": "government"}, method="post", data=CONCLUSION_DATA),
    Row("overall_conclusion_edit", NOT_AUTHOR, P),
    Row("overall_conclusion_edit", NOT_AUTHOR_HTMX, P, headers=HTMX),
    Row("overall_conclusion_edit", SAVE, P, method="post", data=CONCLUSION_DATA),
    Row("overall_conclusion_edit", SAVE_HTMX, P, method="post", headers=HTMX, data=CONCLUSION_DATA),
    Row("overall_conclusion_edit", ALL_404, {"slug": "no-such-report"}),
    # claims
    Row("claim_edit", NOT_AUTHOR, {**P, "claim_slug": "egress-monitoring"}),
    Row("claim_edit", NOT_AUTHOR_HTMX, {**P, "claim_slug": "file-permissions"}, headers=HTMX),
    Row("claim_edit", NOT_AUTHOR_HIDDEN, {**P, "claim_slug": "internal-only"}),
    Row("claim_edit", NOT_AUTHOR_HIDDEN, {**P, "claim_slug": "gov-affordances"}),
    Row("claim_edit", SAVE, {**P, "claim_slug": "egress-monitoring"}, method="post", data=_claim_data),
    Row(
        "claim_edit", SAVE_HTMX, {**P, "claim_slug": "egress-monitoring"}, method="post", headers=HTMX, data=_claim_data
    ),
    Row("claim_edit", SAVE_HIDDEN, {**P, "claim_slug": "internal-only"}, method="post", data=_internal_claim_data),
    # evidence
    Row("evidence_edit", NOT_AUTHOR, {**P, "evidence_slug": "egress-review"}),
    Row("evidence_edit", NOT_AUTHOR_HTMX, {**P, "evidence_slug": "egress-review"}, headers=HTMX),
    Row("evidence_edit", NOT_AUTHOR_HIDDEN, {**P, "evidence_slug": "classifier-notes"}),
    Row("evidence_edit", SAVE, {**P, "evidence_slug": "egress-review"}, method="post", data=EVIDENCE_DATA),
    Row(
        "evidence_edit",
        SAVE_HTMX,
        {**P, "evidence_slug": "egress-review"},
        method="post",
        headers=HTMX,
        data=EVIDENCE_DATA,
    ),
    Row("evidence_edit", SAVE_HIDDEN, {**P, "evidence_slug": "gov-usage"}, method="post", data=EVIDENCE_DATA),
    # change histories: internal staff only
    Row("pathway_history", INTERNAL_ONLY, {**P, "pathway_slug": "exfiltration"}),
    Row("pathway_history", INTERNAL_ONLY, {**P, "pathway_slug": "government"}),
    Row("conclusion_history", INTERNAL_ONLY, {**P, "pathway_slug": "exfiltration"}),
    Row("overall_conclusion_history", INTERNAL_ONLY, P),
    Row("claim_history", INTERNAL_ONLY, {**P, "claim_slug": "egress-monitoring"}),
    Row("claim_history", INTERNAL_ONLY, {**P, "claim_slug": "internal-only"}),
    Row("evidence_history", INTERNAL_ONLY, {**P, "evidence_slug": "egress-review"}),
    Row("evidence_history", INTERNAL_ONLY, {**P, "evidence_slug": "classifier-notes"}),
    # the audit log
    Row("audit_log", INTERNAL_ONLY, P),
    Row("audit_log", {**INTERNAL_ONLY, "anonymous": 200}, P, headers=HTMX),
    Row("audit_log", ALL_404, {"slug": "no-such-report"}),
    Row("audit_entry", INTERNAL_ONLY, _entry_kwargs, setup=_an_entry),
    Row("audit_entry", ALL_404, lambda world, entry: {**P, "entry_id": entry.pk + 1000}, setup=_an_entry),
]
