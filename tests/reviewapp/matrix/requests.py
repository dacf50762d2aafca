"""Permission-matrix rows for information requests, and the helpers that put requests in
the world (used by the request tests too).

The requests: Holdout Evaluators' (erin's) about the public claim, owned by Security (tom's
team); the stress-testing team's (bob's) about the same claim; and bob's about the
`government` pathway, out of erin's scope, addressed to Alignment Science (no persona's team).
"""

import datetime

from django.utils import timezone

from evidence.models import ChainStep
from evidence.services.requests import information_request_close
from reviewapp.services.requests import request_answer, request_decline, request_file, request_follow_up
from tests.reviewapp.matrix import HTMX, IN_SCOPE, REPORT_PAGE, SIGNED_IN, Row

PERSONAS_WITH_ACCESS = [*IN_SCOPE, "outsider"]


def file_request(world, requester, *, subject=None, team=None, title="How are transfers detected?", **fields):
    """Filed as the views file it: through the review's service, which also notifies the team."""
    fields.setdefault("question", "Which **drills** showed it?")
    fields.setdefault("due_date", timezone.localdate() + datetime.timedelta(days=7))
    return request_file(
        report=world.report,
        requester=requester,
        subject=subject if subject is not None else world.public_claim,
        team=team if team is not None else world.team,
        title=title,
        **fields,
    )


def answer(information_request, member, text="Egress alarms fire within a minute.", evidence_items=()):
    information_request.refresh_from_db()
    return request_answer(
        information_request=information_request,
        answerer=member,
        text=text,
        evidence_items=evidence_items,
        version=information_request.version,
    )


def follow_up(information_request, reviewer, text="And at night?"):
    information_request.refresh_from_db()
    return request_follow_up(
        information_request=information_request, author=reviewer, text=text, version=information_request.version
    )


def close(information_request, reviewer):
    """Closing notifies nobody, so the views call the evidence service itself, as this does."""
    information_request.refresh_from_db()
    return information_request_close(
        information_request=information_request, closer=reviewer, version=information_request.version
    )


def decline(information_request, member, reason="Out of our remit."):
    information_request.refresh_from_db()
    return request_decline(
        information_request=information_request, decliner=member, reason=reason, version=information_request.version
    )


def erin_request(world, persona):
    """Holdout Evaluators' open request about the public claim, to Security."""
    return file_request(world, persona("external_reviewer"))


def erin_answered_request(world, persona):
    information_request = erin_request(world, persona)
    answer(information_request, persona("team_member"))
    information_request.refresh_from_db()
    return information_request


def bob_request(world, persona):
    """The stress-testing team's open request about the public claim, to Security."""
    return file_request(world, persona("stress_tester"))


def bob_government_request(world, persona):
    """Out of erin's scope, and to a team none of the personas is in."""
    return file_request(
        world, persona("stress_tester"), subject=world.out_of_scope, team=world.other_team, title="Gov question"
    )


def _request_kwargs(world, information_request):
    return {"slug": "pilot", "pk": information_request.pk}


def _version(prefix, **fields):
    def data(world, information_request):
        return {f"{prefix}-version": information_request.version, **{f"{prefix}-{k}": v for k, v in fields.items()}}

    return data


SEEN_BY_HOLDOUT = {
    "author": 200,
    "stress_tester": 404,
    "external_reviewer": 200,
    "leadership": 200,
    "team_member": 200,
    "outsider": 404,
    "anonymous": 302,
}
SEEN_BY_STRESS_TESTERS = {**SEEN_BY_HOLDOUT, "stress_tester": 200, "external_reviewer": 404}
SEEN_BY_STRESS_TESTERS_NOT_SECURITY = {**SEEN_BY_STRESS_TESTERS, "team_member": 404}


def _acting(seen: dict, allowed: str, success: int = 302) -> dict:
    """Who sees the request gets 403 unless they are the one allowed; the rest keep their 404/302."""
    return {p: (success if p == allowed else 403 if s == 200 else s) for p, s in seen.items()}


def _htmx(expected: dict) -> dict:
    return {p: (200 if p == "anonymous" else 200 if s == 302 else s) for p, s in expected.items()}


FILERS = {
    "author": 403,
    "stress_tester": 200,
    "external_reviewer": 200,
    "leadership": 403,
    "team_member": 403,
    "outsider": 404,
    "anonymous": 302,
}
FILE_DATA = {
    "request-title": "Matrix question",
    "request-question": "What happens?",
    "request-team": "security",
    "request-priority": "normal",
}


def _file_data(world, objects):
    return {**FILE_DATA, "request-due_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()}


CLAIM = {"slug": "pilot", "kind": "claims", "key": "egress-monitoring"}


def step_kwargs(chain_slug: str, position: int):
    """The kwargs naming a step of the world's chains (by id, as the URLs do)."""

    def kwargs(world, objects):
        step = ChainStep.objects.get(chain__slug=chain_slug, position=position)
        return {"slug": "pilot", "chain_slug": chain_slug, "step_id": step.pk}

    return kwargs


STEP = step_kwargs("weights-bucket", 0)

ROWS = [
    Row("team_inbox", {**SIGNED_IN, "anonymous": 302}),
    Row("team_inbox", {**SIGNED_IN, "anonymous": 302}, setup=erin_request, label="with-requests"),
    Row("request_list", REPORT_PAGE, {"slug": "pilot"}, setup=bob_government_request),
    Row("request_list", {**REPORT_PAGE, "anonymous": 200}, {"slug": "pilot"}, headers=HTMX),
    Row("request_list", {**dict.fromkeys(SIGNED_IN, 404), "anonymous": 302}, {"slug": "no-such-report"}),
    Row("request_detail", SEEN_BY_HOLDOUT, _request_kwargs, setup=erin_request),
    Row("request_detail", {**SEEN_BY_HOLDOUT, "anonymous": 200}, _request_kwargs, setup=erin_request, headers=HTMX),
    Row("request_detail", SEEN_BY_STRESS_TESTERS, _request_kwargs, setup=bob_request),
    Row("request_detail", SEEN_BY_STRESS_TESTERS_NOT_SECURITY, _request_kwargs, setup=bob_government_request),
    Row(
        "request_detail",
        {**dict.fromkeys(SIGNED_IN, 404), "anonymous": 302},
        {"slug": "pilot", "pk": 999999},
        label="missing",
    ),
    # Filing: reviewers only; a subject out of scope is 404.
    Row("request_file", FILERS, CLAIM),
    Row("request_file", {**FILERS, "stress_tester": 302, "external_reviewer": 302}, CLAIM, "post", data=_file_data),
    Row(
        "request_file",
        {**FILERS, "anonymous": 200},
        CLAIM,
        "post",
        headers=HTMX,
        data=_file_data,
    ),
    Row(
        "request_file",
        {**FILERS, "external_reviewer": 404},
        {"slug": "pilot", "kind": "claims", "key": "internal-only"},
    ),
    Row(
        "request_file",
        {**FILERS, "external_reviewer": 404},
        {"slug": "pilot", "kind": "pathways", "key": "government"},
    ),
    Row("request_file", FILERS, {"slug": "pilot", "kind": "pathways", "key": "exfiltration"}),
    Row("request_file", FILERS, {"slug": "pilot", "kind": "evidence", "key": "egress-review"}),
    Row(
        "request_file",
        {**FILERS, "external_reviewer": 404},
        {"slug": "pilot", "kind": "evidence", "key": "classifier-notes"},
    ),
    # About a detection chain step: step 3 of the public chain is internal; the government
    # pathway's chain is out of the external reviewer's scope; a step that does not exist.
    Row("request_file_step", FILERS, STEP),
    Row("request_file_step", {**FILERS, "stress_tester": 302, "external_reviewer": 302}, STEP, "post", data=_file_data),
    Row(
        "request_file_step",
        {**FILERS, "external_reviewer": 404},
        step_kwargs("weights-bucket", 2),
        label="internal-step",
    ),
    Row(
        "request_file_step",
        {**FILERS, "external_reviewer": 404},
        step_kwargs("gov-chain", 0),
        label="out-of-scope",
    ),
    Row(
        "request_file_step",
        {**dict.fromkeys(FILERS, 404), "anonymous": 302},
        {"slug": "pilot", "chain_slug": "weights-bucket", "step_id": 999999},
        label="missing",
    ),
    # Transitions: the right person succeeds; others who see the request get 403, the rest 404.
    Row(
        "request_answer",
        _acting(SEEN_BY_HOLDOUT, "team_member"),
        _request_kwargs,
        "post",
        setup=erin_request,
        data=_version("answer", text="We watch egress."),
    ),
    Row(
        "request_answer",
        _htmx(_acting(SEEN_BY_HOLDOUT, "team_member")),
        _request_kwargs,
        "post",
        setup=erin_request,
        headers=HTMX,
        data=_version("answer", text="We watch egress."),
    ),
    Row(
        "request_answer",
        _acting(SEEN_BY_STRESS_TESTERS_NOT_SECURITY, "nobody"),
        _request_kwargs,
        "post",
        setup=bob_government_request,
        data=_version("answer", text="Forged."),
        label="other-team",
    ),
    Row(
        "request_follow_up",
        _acting(SEEN_BY_HOLDOUT, "external_reviewer"),
        _request_kwargs,
        "post",
        setup=erin_answered_request,
        data=_version("follow_up", text="And at night?"),
    ),
    Row(
        "request_follow_up",
        _htmx(_acting(SEEN_BY_HOLDOUT, "external_reviewer")),
        _request_kwargs,
        "post",
        setup=erin_answered_request,
        headers=HTMX,
        data=_version("follow_up", text="And at night?"),
    ),
    Row(
        "request_close",
        _acting(SEEN_BY_HOLDOUT, "external_reviewer"),
        _request_kwargs,
        "post",
        setup=erin_answered_request,
        data=_version("close", text="", confirm="on"),
    ),
    Row(
        "request_close",
        _htmx(_acting(SEEN_BY_HOLDOUT, "external_reviewer")),
        _request_kwargs,
        "post",
        setup=erin_answered_request,
        headers=HTMX,
        data=_version("close", text="", confirm="on"),
    ),
    Row(
        "request_close",
        _acting(SEEN_BY_STRESS_TESTERS, "stress_tester"),
        _request_kwargs,
        "post",
        setup=bob_request,
        data=_version("close", text="Withdrawn.", confirm="on"),
        label="bobs",
    ),
    Row(
        "request_decline",
        _acting(SEEN_BY_HOLDOUT, "team_member"),
        _request_kwargs,
        "post",
        setup=erin_request,
        data=_version("decline", reason="Not ours.", confirm="on"),
    ),
    Row(
        "request_decline",
        _htmx(_acting(SEEN_BY_HOLDOUT, "team_member")),
        _request_kwargs,
        "post",
        setup=erin_request,
        headers=HTMX,
        data=_version("decline", reason="Not ours.", confirm="on"),
    ),
]
# GET on a transition URL is refused whoever asks (405), except that anonymous people log in first.
ROWS += [
    Row(name, {**dict.fromkeys(SIGNED_IN, 405), "anonymous": 405}, _request_kwargs, setup=erin_request, label="get")
    for name in ["request_answer", "request_follow_up", "request_close", "request_decline"]
]
