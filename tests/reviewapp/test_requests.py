"""Information requests: the state machine from open to closed, transitions refused for the
wrong state or the wrong person (nothing changes), and answers with the evidence they link."""

import pytest
from django.urls import reverse

from evidence.enums import MessageKind, RequestState
from evidence.models import RequestMessage
from evidence.services.requests import RequestNotAllowed
from pathways.models import AuditEntry
from pathways.services import access_grant, team_member_add
from tests.factories import ReportFactory
from tests.reviewapp.matrix.requests import answer, close, decline, file_request, follow_up
from tests.reviewapp.requesting import detail_url, request_in_state, snapshot

# --------------------------------------------------------------- state machine


def _post(client, information_request, action, htmx=False, **fields):
    information_request.refresh_from_db()
    prefix = {"request_answer": "answer", "request_follow_up": "follow_up", "request_close": "close"}.get(
        action, "decline"
    )
    data = {f"{prefix}-version": information_request.version, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse(action, args=["pilot", information_request.pk]), data, **headers)


def test_the_whole_journey_from_open_to_closed(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    client.force_login(team_member)
    assert _post(client, information_request, "request_answer", text="First answer").status_code == 302
    information_request.refresh_from_db()
    assert information_request.state == RequestState.ANSWERED
    first_answered_at = information_request.first_answered_at
    assert first_answered_at is not None

    client.force_login(external_reviewer)
    assert _post(client, information_request, "request_follow_up", text="More please").status_code == 302
    information_request.refresh_from_db()
    assert information_request.state == RequestState.FOLLOW_UP

    client.force_login(team_member)
    assert _post(client, information_request, "request_answer", text="Second answer").status_code == 302
    information_request.refresh_from_db()
    assert information_request.state == RequestState.ANSWERED
    assert information_request.first_answered_at == first_answered_at  # only the first answer counts

    client.force_login(external_reviewer)
    assert _post(client, information_request, "request_close", text="Thanks", confirm="on").status_code == 302
    information_request.refresh_from_db()
    assert information_request.state == RequestState.CLOSED
    assert information_request.closed_at is not None
    kinds = list(information_request.messages.values_list("kind", flat=True))
    assert kinds == ["question", "answer", "follow_up", "answer", "close"]
    actions = list(
        AuditEntry.objects.filter(target_id=information_request.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "evidence.request.filed",
        "evidence.request.answered",
        "evidence.request.followed_up",
        "evidence.request.answered",
        "evidence.request.closed",
    ]


def test_closing_asks_for_confirmation_and_keeps_the_note(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    answer(information_request, team_member)
    client.force_login(external_reviewer)
    for htmx in (False, True):
        unconfirmed = _post(client, information_request, "request_close", htmx=htmx, text="Settled, thanks.")
        assert unconfirmed.status_code == 200
        assert "Tick the box to confirm that you want to close this request." in unconfirmed.content.decode()
        assert "Settled, thanks." in unconfirmed.content.decode()
        information_request.refresh_from_db()
        assert information_request.state == RequestState.ANSWERED
    assert not information_request.messages.filter(kind=MessageKind.CLOSE).exists()
    assert _post(client, information_request, "request_close", text="Settled.", confirm="on").status_code == 302
    information_request.refresh_from_db()
    assert information_request.state == RequestState.CLOSED


def test_once_answered_the_answer_form_is_folded_away(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    client.force_login(team_member)
    url = reverse("request_detail", args=["pilot", information_request.pk])
    page = client.get(url).content.decode()
    form = page.split('id="answer-heading"')[1].split("</section>")[0]
    assert "Answer for Security" in page and "<details" not in form
    response = _post(client, information_request, "request_answer", htmx=True, text="Alarms fire in a minute.")
    body = response.content.decode()
    assert "Answer sent." in body
    folded = body.split('id="answer-heading"')[1].split("</section>")[0]
    assert "Add to the answer" in body and "<details>" in folded and "<details open" not in folded
    assert 'name="answer-text"' in folded  # still there, to add to the answer, behind the fold


def test_the_team_declines_with_a_reason_after_confirming(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    client.force_login(team_member)
    unconfirmed = _post(client, information_request, "request_decline", reason="Not ours.")
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert "Not ours." in unconfirmed.content.decode()  # the reason typed is kept
    information_request.refresh_from_db()
    assert information_request.state == RequestState.OPEN

    assert _post(client, information_request, "request_decline", reason="Not ours.", confirm="on").status_code == 302
    information_request.refresh_from_db()
    assert information_request.state == RequestState.DECLINED
    assert information_request.decline_reason == "Not ours."
    assert AuditEntry.objects.filter(action="evidence.request.declined", target_id=information_request.pk).exists()
    client.force_login(external_reviewer)
    page = client.get(detail_url(information_request)).content.decode()
    assert "Not ours." in page and "Security declined this request" in page


def test_the_team_may_decline_a_follow_up(world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    answer(information_request, team_member)
    follow_up(information_request, external_reviewer)
    decline(information_request, team_member)
    information_request.refresh_from_db()
    assert information_request.state == RequestState.DECLINED


def test_the_requester_may_withdraw_an_open_request(world, external_reviewer):
    information_request = file_request(world, external_reviewer)
    close(information_request, external_reviewer)
    information_request.refresh_from_db()
    assert information_request.state == RequestState.CLOSED


WRONG_STATES = [
    ("request_answer", "team_member", "closed", {"text": "Late"}),
    ("request_answer", "team_member", "declined", {"text": "Late"}),
    ("request_follow_up", "external_reviewer", "open", {"text": "Eh?"}),
    ("request_follow_up", "external_reviewer", "follow_up", {"text": "Eh?"}),
    ("request_follow_up", "external_reviewer", "closed", {"text": "Eh?"}),
    ("request_follow_up", "external_reviewer", "declined", {"text": "Eh?"}),
    ("request_close", "external_reviewer", "closed", {"text": "", "confirm": "on"}),
    ("request_close", "external_reviewer", "declined", {"text": "", "confirm": "on"}),
    ("request_decline", "team_member", "answered", {"reason": "No", "confirm": "on"}),
    ("request_decline", "team_member", "closed", {"reason": "No", "confirm": "on"}),
    ("request_decline", "team_member", "declined", {"reason": "No", "confirm": "on"}),
]


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize(
    "action,actor,state,fields", WRONG_STATES, ids=[f"{a}-from-{s}" for a, _, s, _ in WRONG_STATES]
)
def test_a_transition_from_the_wrong_state_is_refused_and_changes_nothing(
    client, world, request, external_reviewer, team_member, action, actor, state, fields, htmx
):
    information_request = request_in_state(world, state, external_reviewer, team_member)
    before = snapshot(information_request)
    client.force_login(request.getfixturevalue(actor))
    response = _post(client, information_request, action, htmx=htmx, **fields)
    assert response.status_code == (200 if htmx else 409)
    assert "cannot be" in response.content.decode()
    assert snapshot(information_request) == before


WRONG_PEOPLE = [
    ("request_answer", ["author", "leadership", "external_reviewer"], {"text": "Mine"}),
    ("request_decline", ["author", "leadership", "external_reviewer"], {"reason": "No", "confirm": "on"}),
    ("request_follow_up", ["author", "leadership", "team_member"], {"text": "Mine"}),
    ("request_close", ["author", "leadership", "team_member"], {"text": "", "confirm": "on"}),
]


@pytest.mark.parametrize(
    "action,actor,fields",
    [(action, actor, fields) for action, actors, fields in WRONG_PEOPLE for actor in actors],
)
def test_someone_who_sees_the_request_but_may_not_act_gets_403_and_nothing_changes(
    client, world, request, external_reviewer, team_member, action, actor, fields
):
    state = "answered" if action in {"request_follow_up", "request_close"} else "open"
    information_request = request_in_state(world, state, external_reviewer, team_member)
    before = snapshot(information_request)
    client.force_login(request.getfixturevalue(actor))
    assert _post(client, information_request, action, **fields).status_code == 403
    assert snapshot(information_request) == before


@pytest.mark.parametrize(
    "action,fields",
    [
        ("request_answer", {"text": "Mine"}),
        ("request_decline", {"reason": "No", "confirm": "on"}),
        ("request_follow_up", {"text": "Mine"}),
        ("request_close", {"text": "", "confirm": "on"}),
    ],
)
def test_another_organisations_request_is_not_found_and_nothing_changes(
    client, world, stress_tester, external_reviewer, team_member, action, fields
):
    information_request = request_in_state(world, "answered", external_reviewer, team_member)
    before = snapshot(information_request)
    client.force_login(stress_tester)
    assert _post(client, information_request, action, **fields).status_code == 404
    assert snapshot(information_request) == before


def test_another_teams_request_cannot_be_answered_by_a_member_of_a_different_team(
    client, world, stress_tester, team_member
):
    information_request = file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team)
    before = snapshot(information_request)
    client.force_login(team_member)
    # tom can read the internal claim (his team owns part of the report) but not this team's request
    assert _post(client, information_request, "request_answer", text="Forged").status_code == 404
    assert snapshot(information_request) == before


def test_a_request_of_another_report_is_not_found_under_this_report(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    other = ReportFactory(slug="second")
    access_grant(report=other, user=external_reviewer, role="external_reviewer", org_name="Holdout Evaluators")
    team_member_add(team=world.team, user=team_member)
    client.force_login(team_member)
    url = reverse("request_answer", args=["second", information_request.pk])
    assert client.post(url, {"answer-version": 1, "answer-text": "x"}).status_code == 404
    client.force_login(external_reviewer)
    assert client.get(reverse("request_detail", args=["second", information_request.pk])).status_code == 404


def test_the_service_refuses_the_wrong_person_whatever_the_view_does(world, external_reviewer, stress_tester):
    information_request = file_request(world, external_reviewer)
    with pytest.raises(RequestNotAllowed):
        answer(information_request, stress_tester)
    with pytest.raises(RequestNotAllowed):
        close(information_request, stress_tester)
    assert information_request.messages.count() == 1


# ----------------------------------------------------------- answers and evidence


def test_an_answer_may_link_evidence_and_the_external_requester_sees_only_their_level(
    client, world, external_reviewer, team_member
):
    information_request = file_request(world, external_reviewer)
    client.force_login(team_member)
    form_page = client.get(detail_url(information_request)).content.decode()
    assert "Holdout Evaluators will read this answer." in form_page
    assert "Classifier notes" in form_page  # the team member may link internal evidence
    response = _post(
        client,
        information_request,
        "request_answer",
        text="See the review.",
        evidence=["egress-review", "classifier-notes"],
    )
    assert response.status_code == 302
    message = RequestMessage.objects.get(kind=MessageKind.ANSWER)
    assert {evidence.slug for evidence in message.evidence.all()} == {"egress-review", "classifier-notes"}
    assert "Classifier notes" in client.get(detail_url(information_request)).content.decode()

    client.force_login(external_reviewer)
    page = client.get(detail_url(information_request)).content.decode()
    assert "Egress review" in page
    assert "Classifier notes" not in page


def test_an_answer_cannot_link_evidence_of_another_report(client, world, external_reviewer, team_member):
    from tests.factories import EvidenceFactory

    EvidenceFactory(report=ReportFactory(slug="foreign"), slug="foreign-evidence", owner_team=world.team)
    information_request = file_request(world, external_reviewer)
    before = snapshot(information_request)
    client.force_login(team_member)
    response = _post(client, information_request, "request_answer", text="See", evidence=["foreign-evidence"])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "See" in response.content.decode()
    assert snapshot(information_request) == before


def test_the_answer_form_is_only_for_team_members_and_says_who_reads_it(
    client, world, stress_tester, team_member, author
):
    information_request = file_request(world, stress_tester)
    client.force_login(team_member)
    page = client.get(detail_url(information_request)).content.decode()
    assert "Stress-testing team will read this answer." in page
    assert "external reviewers" not in page
    assert "Decline instead of answering" in page
    client.force_login(author)
    page = client.get(detail_url(information_request)).content.decode()
    assert 'name="answer-text"' not in page and 'name="decline-reason"' not in page
    assert "Waiting for Security to answer." in page


def test_the_requester_sees_follow_up_and_close_only_once_answered(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    client.force_login(external_reviewer)
    page = client.get(detail_url(information_request)).content.decode()
    assert 'name="follow_up-text"' not in page and 'name="close-text"' in page
    answer(information_request, team_member)
    page = client.get(detail_url(information_request)).content.decode()
    assert 'name="follow_up-text"' in page and 'name="close-text"' in page
    assert 'name="answer-text"' not in page


def test_an_htmx_answer_re_renders_the_request_in_place(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    client.force_login(team_member)
    response = _post(client, information_request, "request_answer", htmx=True, text="In place.")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="request-body">')
    assert "Answer sent." in body and "In place." in body
    assert "<html" not in body
