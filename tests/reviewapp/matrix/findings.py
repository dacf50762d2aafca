"""Permission-matrix rows of findings on claims, lines of defence and chain steps.

Everyone who sees the report reads its findings list; a finding's page answers 404 to
those who cannot see what it is about (an internal finding, to the external reviewer).
Only reviewers (the stress-tester and the external reviewer) raise findings (403 for the
others who see the subject); only the authors answer them (403 for the others who see it).
"""

from reviewapp.services.findings import finding_raise
from tests.reviewapp.matrix import HIDDEN_FROM_EXTERNAL, REPORT_PAGE, Row
from tests.reviewapp.matrix.requests import step_kwargs

REVIEWERS_ONLY = {**REPORT_PAGE, "author": 403, "leadership": 403, "team_member": 403}
RAISED = {**REVIEWERS_ONLY, "stress_tester": 302, "external_reviewer": 302}
ON_INTERNAL = {**RAISED, "external_reviewer": 404}
AUTHORS_ANSWER = {
    **REPORT_PAGE,
    **dict.fromkeys(["stress_tester", "external_reviewer", "leadership", "team_member"], 403),
    "author": 302,
}
AUTHORS_ANSWER_HIDDEN = {**AUTHORS_ANSWER, "external_reviewer": 404}
FORGED = {**REPORT_PAGE, **dict.fromkeys(["author", "stress_tester", "external_reviewer", "leadership"], 404)}
FORGED["team_member"] = 404

STEP = step_kwargs("weights-bucket", 0)
FINDING = {"kind": "claim_false", "severity": "minor", "text": "It may not hold.", "where": ""}


def _finding(visibility):
    def setup(world, persona):
        return finding_raise(
            raiser=persona("stress_tester"),
            subject=world.public_claim,
            kind="claim_false",
            severity="major",
            text="Shared or not.",
            visibility=visibility,
        )

    return setup


def _finding_kwargs(world, finding):
    return {"slug": "pilot", "pk": finding.pk}


ANSWER = {"disposition": "residual_risk", "text": "", "version": 1}

ROWS = [
    Row("finding_list", REPORT_PAGE, kwargs={"slug": "pilot"}),
    Row("finding_detail", REPORT_PAGE, kwargs=_finding_kwargs, setup=_finding("shared"), label="shared"),
    Row("finding_detail", HIDDEN_FROM_EXTERNAL, kwargs=_finding_kwargs, setup=_finding("internal"), label="internal"),
    Row("finding_detail", FORGED, kwargs={"slug": "pilot", "pk": 999999}, label="forged"),
    Row("finding_on_claim", REVIEWERS_ONLY, kwargs={"slug": "pilot", "claim_slug": "egress-monitoring"}),
    Row(
        "finding_on_claim",
        RAISED,
        kwargs={"slug": "pilot", "claim_slug": "egress-monitoring"},
        method="post",
        data=FINDING,
        label="raise",
    ),
    Row(
        "finding_on_claim",
        {**REVIEWERS_ONLY, "external_reviewer": 404},
        kwargs={"slug": "pilot", "claim_slug": "internal-only"},
        label="internal-claim",
    ),
    Row("finding_on_line", REVIEWERS_ONLY, kwargs={"slug": "pilot", "line_slug": "egress-alerting"}),
    Row(
        "finding_on_line",
        ON_INTERNAL,
        kwargs={"slug": "pilot", "line_slug": "internal-line"},
        method="post",
        data={k: v for k, v in FINDING.items() if k != "where"},
        label="internal-line",
    ),
    Row(
        "finding_on_line",
        {**REVIEWERS_ONLY, "external_reviewer": 404},
        kwargs={"slug": "pilot", "line_slug": "gov-review"},
        label="out-of-scope-line",
    ),
    Row("finding_on_step", REVIEWERS_ONLY, kwargs=STEP),
    Row(
        "finding_on_step",
        RAISED,
        kwargs=STEP,
        method="post",
        data={k: v for k, v in FINDING.items() if k != "where"},
        label="raise",
    ),
    Row(
        "finding_on_step",
        {**REVIEWERS_ONLY, "external_reviewer": 404},
        kwargs=step_kwargs("weights-bucket", 2),
        label="internal",
    ),
    Row(
        "finding_on_step",
        {**REVIEWERS_ONLY, "external_reviewer": 404},
        kwargs=step_kwargs("internal-chain", 0),
        label="internal-chain",
    ),
    Row(
        "finding_on_step",
        {**REVIEWERS_ONLY, "external_reviewer": 404},
        kwargs=step_kwargs("gov-chain", 0),
        label="out-of-scope",
    ),
    Row(
        "finding_answer",
        AUTHORS_ANSWER,
        kwargs=_finding_kwargs,
        method="post",
        data=ANSWER,
        setup=_finding("shared"),
        label="shared",
    ),
    Row(
        "finding_answer",
        AUTHORS_ANSWER_HIDDEN,
        kwargs=_finding_kwargs,
        method="post",
        data=ANSWER,
        setup=_finding("internal"),
        label="internal",
    ),
]
