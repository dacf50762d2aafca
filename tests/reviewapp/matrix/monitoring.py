"""Permission-matrix rows of warning signs and the timeline.

The warning-sign pages are for the report's authors, leadership and stress-testers (anyone
else who sees the report gets 403, anyone who does not 404); a sign of another report, or
a forged id, is 404 to them too. The timeline is a report page. The API answers 401 to
every session, signed in or not: only a bearer token counts.
"""

from django.utils import timezone

from monitoring.services import SignFields, warning_sign_report
from tests.reviewapp.matrix import REPORT_PAGE, Row

HANDLERS = {**REPORT_PAGE, "external_reviewer": 403, "team_member": 403}
HANDLED = {**HANDLERS, "author": 302, "stress_tester": 302, "leadership": 302}
FORGED = {**HANDLERS, "author": 404, "stress_tester": 404, "leadership": 404}
TOKEN_ONLY = dict.fromkeys([*REPORT_PAGE], 401)


def _sign(world, persona):
    fields = SignFields(
        title="Weights copied to a scratch bucket",
        description="The egress monitor saw a 40 GB transfer.",
        severity="high",
        observed_at=timezone.now(),
        claims=("egress-monitoring",),
    )
    return warning_sign_report(report=world.report, fields=fields, reported_by=persona("author"))[0]


def _sign_kwargs(world, sign):
    return {"slug": "pilot", "sign_id": sign.pk}


REPORT_ONE = {
    "title": "A sign",
    "description": "Seen.",
    "severity": "low",
    "observed_at": "2026-01-01 10:00",
    "sensitivity": "internal",
}

ROWS = [
    Row("report_timeline", REPORT_PAGE, kwargs={"slug": "pilot"}),
    Row("warning_sign_list", HANDLERS, kwargs={"slug": "pilot"}),
    Row("warning_sign_list", HANDLED, kwargs={"slug": "pilot"}, method="post", data=REPORT_ONE, label="report"),
    Row("warning_sign_detail", HANDLERS, kwargs=_sign_kwargs, setup=_sign),
    Row("warning_sign_detail", FORGED, kwargs={"slug": "pilot", "sign_id": 999999}, label="forged"),
    Row(
        "warning_sign_triage",
        HANDLED,
        kwargs=_sign_kwargs,
        method="post",
        data={"action": "dismiss", "reason": "A drill."},
        setup=_sign,
    ),
    Row("warning_signs_api", TOKEN_ONLY, method="post", data={"report": "pilot"}),
]
