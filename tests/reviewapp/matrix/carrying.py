"""Permission-matrix rows of the next model's report.

Only the report's authors start the next report from it (others who see the report get
403). Across models is a report page. A carried-forward item's page is for its owning
team and the new report's authors: a reviewer of the new report gets 403, anyone who does
not see the item 404, and an item that was not carried forward is 404 for everyone.
"""

from evidence.services.carrying import report_start_next
from pathways.services import access_grant
from tests.reviewapp.matrix import REPORT_PAGE, Row

AUTHORS_ONLY = {**REPORT_PAGE, "stress_tester": 403, "external_reviewer": 403, "leadership": 403, "team_member": 403}
STARTED = {**AUTHORS_ONLY, "author": 302}
NEW_REPORT = {
    "author": 200,
    "team_member": 200,  # Security owns the item: its members read the new report's Security evidence
    "stress_tester": 403,  # a reviewer of the new report, who does not decide the evidence
    "external_reviewer": 404,
    "leadership": 404,
    "outsider": 404,
    "anonymous": 302,
}
DECIDED = {**NEW_REPORT, "author": 302, "team_member": 302}
NOT_CARRIED = {
    **REPORT_PAGE,
    **dict.fromkeys(["author", "stress_tester", "external_reviewer", "leadership", "team_member"], 404),
}


def _next_report(world, persona):
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two", starter=persona("author"))
    access_grant(report=created, user=persona("stress_tester"), role="stress_tester", org_name="Stress-testing team")
    return created


NEXT = {"model_name": "Model Two", "slug": "pilot-2", "title": ""}
CARRIED = {"slug": "pilot-2", "evidence_slug": "egress-review"}

ROWS = [
    Row("report_next", AUTHORS_ONLY | {"author": 200}, kwargs={"slug": "pilot"}),
    Row("report_next", STARTED, kwargs={"slug": "pilot"}, method="post", data=NEXT, label="start"),
    Row("across_models", REPORT_PAGE, kwargs={"slug": "pilot"}),
    Row("evidence_carried", NEW_REPORT, kwargs=CARRIED, setup=_next_report),
    Row(
        "evidence_carried",
        DECIDED,
        kwargs=CARRIED,
        method="post",
        data={"action": "confirm", "note": "Re-ran the drill."},
        setup=_next_report,
        label="confirm",
    ),
    Row(
        "evidence_carried", NOT_CARRIED, kwargs={"slug": "pilot", "evidence_slug": "egress-review"}, label="not-carried"
    ),
]
