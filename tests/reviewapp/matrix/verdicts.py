"""Permission-matrix rows of verdicts and sign-off.

Verdicts: reviewers (bob for the Stress-testing team, erin for Holdout Evaluators) record
on the conclusions they can see; anyone else who sees the conclusion gets 403; the
government pathway's conclusion is out of erin's scope (404); a conclusion of another
report is 404 for everyone. Re-confirming is for the verdict's own organisation only.
The dashboard and sign-offs are leadership's and readable by authors: 403 for anyone
else who sees the report, 404 for who does not.

The helpers that put verdicts and conclusion edits in the world (used by the verdict and
sign-off tests too) go through the services the views call, so they notify as in use.
"""

from pathways.models import Conclusion
from reviewapp.enums import Position
from reviewapp.services.verdicts import conclusion_revise, verdict_record
from tests.factories import ReportFactory, ReportVersionFactory, SignOffFactory
from tests.reviewapp.matrix import HIDDEN_FROM_EXTERNAL, HTMX, IN_SCOPE, REPORT_PAGE, SIGNED_IN, Row

EVERYONE_404 = {**dict.fromkeys(SIGNED_IN, 404), "anonymous": 302}
EVERYONE_404_HTMX = {**EVERYONE_404, "anonymous": 200}  # HX-Redirect to the login page
REVIEWERS = {**dict.fromkeys(IN_SCOPE, 403), "stress_tester": 302, "external_reviewer": 302}
RECORD = {**REVIEWERS, "outsider": 404, "anonymous": 302}
RECORD_HTMX = {**RECORD, "stress_tester": 200, "external_reviewer": 200, "anonymous": 200}
RECORD_NOT_EXTERNAL = {**RECORD, "external_reviewer": 404}
DASHBOARD = {**dict.fromkeys(IN_SCOPE, 403), "author": 200, "leadership": 200, "outsider": 404, "anonymous": 302}
DASHBOARD_HTMX = {**DASHBOARD, "anonymous": 200}
SIGN_OFF = {**dict.fromkeys(IN_SCOPE, 403), "leadership": 302, "outsider": 404, "anonymous": 302}
SIGN_OFF_HTMX = {**SIGN_OFF, "leadership": 200, "anonymous": 200}

CONCUR = {"position": Position.CONCUR, "rationale": "", "revision": 1}
SIGN = {
    "decision": "not_approved",
    "note": "Not yet.",
    "override": "on",
    "override_reason": "A test.",
    "step": "confirm",
}


def conclusion_of(world, pathway: str | None) -> Conclusion:
    if pathway is None:
        return Conclusion.objects.get(report=world.report, pathway=None)
    return Conclusion.objects.get(report=world.report, pathway__slug=pathway)


def given(recorder, conclusion, position=Position.CONCUR, rationale=""):
    """A verdict recorded as the verdict form records it, against the conclusion's revision."""
    return verdict_record(
        conclusion=conclusion, recorder=recorder, position=position, rationale=rationale, revision=conclusion.revision
    )


def edit_conclusion(conclusion: Conclusion, text: str, *, editor) -> Conclusion:
    """An author's edit of the text, saved by the service the conclusion editor saves with
    (the next revision; the verdicts on the earlier one go stale and their recorders are told)."""
    conclusion.refresh_from_db()
    conclusion_revise(
        conclusion=conclusion, editor=editor, revision=conclusion.revision, risk_level=conclusion.risk_level, text=text
    )
    conclusion.refresh_from_db()
    return conclusion


def _conclusion(pathway):
    return lambda world, objects: {"slug": "pilot", "conclusion_id": conclusion_of(world, pathway).pk}


def _another_reports_conclusion(world, persona):
    return Conclusion.objects.get(report=ReportFactory(slug="other-report"), pathway=None)


def _stale_verdict(by: str, pathway: str):
    """A setup: a verdict by the persona `by` for their organisation, made stale by an author's edit."""

    def setup(world, persona):
        conclusion = conclusion_of(world, pathway)
        verdict = given(persona(by), conclusion, Position.DISSENT, "Not convinced.")
        edit_conclusion(conclusion, "Changed.", editor=persona("author"))
        return verdict

    return setup


def _signoff(world, persona):
    """Leadership's decision, taken over the missing verdicts in writing."""
    return SignOffFactory(report=world.report, decider=persona("leadership"), override=True, override_reason="A test.")


def _published(world, persona):
    """The version a sign-off is of."""
    return ReportVersionFactory(report=world.report, author=persona("author"), name="11 February")


def _another_reports_signoff(world, persona):
    """Taken on another report by its own leadership, whom no persona is."""
    return SignOffFactory(report=ReportFactory(slug="other-report"), override=True, override_reason="A test.")


def _on_verdict(world, verdict):
    return {"slug": "pilot", "verdict_id": verdict.pk}


def _on_signoff(world, signoff):
    return {"slug": "pilot", "signoff_id": signoff.pk}


ROWS = [
    # The page of a conclusion's verdicts: anyone who sees the conclusion.
    Row("verdict_history", REPORT_PAGE, _conclusion("exfiltration")),
    Row("verdict_history", REPORT_PAGE, _conclusion(None), label="overall"),
    Row("verdict_history", HIDDEN_FROM_EXTERNAL, _conclusion("government"), label="out-of-scope"),
    Row(
        "verdict_history",
        EVERYONE_404,
        lambda world, conclusion: {"slug": "pilot", "conclusion_id": conclusion.pk},
        setup=_another_reports_conclusion,
        label="other-report",
    ),
    # Recording: reviewers only, on what they see.
    Row("verdict_record", RECORD, _conclusion("exfiltration"), method="post", data=CONCUR),
    Row("verdict_record", RECORD_HTMX, _conclusion("exfiltration"), method="post", data=CONCUR, headers=HTMX),
    Row("verdict_record", RECORD, _conclusion(None), method="post", data=CONCUR, label="overall"),
    Row("verdict_record", RECORD_NOT_EXTERNAL, _conclusion("government"), method="post", data=CONCUR, label="oos"),
    Row(
        "verdict_record",
        {**RECORD_NOT_EXTERNAL, "stress_tester": 200, "external_reviewer": 404, "anonymous": 200},
        _conclusion("government"),
        method="post",
        data=CONCUR,
        headers=HTMX,
        label="oos",
    ),
    Row(
        "verdict_record",
        EVERYONE_404,
        lambda world, conclusion: {"slug": "pilot", "conclusion_id": conclusion.pk},
        method="post",
        data=CONCUR,
        setup=_another_reports_conclusion,
        label="other-report",
    ),
    Row("verdict_record", dict.fromkeys([*SIGNED_IN, "anonymous"], 405), _conclusion("exfiltration"), label="get"),
    # Re-confirming: the verdict's own organisation only.
    Row(
        "verdict_reconfirm",
        {**RECORD, "external_reviewer": 403},
        _on_verdict,
        method="post",
        setup=_stale_verdict("stress_tester", "exfiltration"),
        label="bobs",
    ),
    Row(
        "verdict_reconfirm",
        {**RECORD_HTMX, "external_reviewer": 403},
        _on_verdict,
        method="post",
        headers=HTMX,
        setup=_stale_verdict("stress_tester", "exfiltration"),
        label="bobs",
    ),
    Row(
        "verdict_reconfirm",
        {**RECORD, "stress_tester": 403},
        _on_verdict,
        method="post",
        setup=_stale_verdict("external_reviewer", "backdoors"),
        label="erins",
    ),
    Row(
        "verdict_reconfirm",
        {**RECORD, "external_reviewer": 404},
        _on_verdict,
        method="post",
        setup=_stale_verdict("stress_tester", "government"),
        label="oos",
    ),
    # The dashboard and sign-off decisions.
    Row("signoff_dashboard", DASHBOARD, {"slug": "pilot"}),
    Row("signoff_dashboard", DASHBOARD_HTMX, {"slug": "pilot"}, headers=HTMX),
    Row("signoff_dashboard", EVERYONE_404, {"slug": "no-such-report"}, label="missing"),
    Row("signoff_record", SIGN_OFF, {"slug": "pilot"}, method="post", data=SIGN, setup=_published),
    Row("signoff_record", SIGN_OFF_HTMX, {"slug": "pilot"}, method="post", data=SIGN, headers=HTMX, setup=_published),
    Row(
        "signoff_record",
        {**SIGN_OFF, "leadership": 200},
        {"slug": "pilot"},
        method="post",
        data={**SIGN, "step": ""},
        label="ask",
    ),
    Row("signoff_detail", DASHBOARD, _on_signoff, setup=_signoff),
    Row("signoff_detail", DASHBOARD_HTMX, _on_signoff, setup=_signoff, headers=HTMX),
    Row(
        "signoff_detail",
        {**DASHBOARD, "author": 404, "leadership": 404},
        _on_signoff,
        setup=_another_reports_signoff,
        label="other-report",
    ),
]
