"""Information requests: who sees which, filing from a subject page, the state machine,
stale transitions, the team inbox and the report's per-team summary."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.enums import MessageKind, RequestState
from evidence.models import InformationRequest, RequestMessage
from evidence.selectors import information_requests_visible_to
from evidence.services.requests import RequestConflict, RequestNotAllowed, working_days_after
from pathways.enums import Sensitivity
from pathways.models import AuditEntry
from pathways.services import access_grant, team_member_add
from reviewapp.services.requests import request_answer, request_file, request_follow_up
from tests.factories import ClaimFactory, ReportFactory, TeamFactory, UserFactory
from tests.reviewapp.matrix.requests import answer, close, decline, file_request, follow_up

TODAY = timezone.localdate


def _detail(information_request):
    return reverse("request_detail", args=[information_request.report.slug, information_request.pk])


def _snapshot(information_request):
    information_request.refresh_from_db()
    return (
        information_request.state,
        information_request.version,
        information_request.messages.count(),
        information_request.decline_reason,
        information_request.first_answered_at,
        information_request.closed_at,
        AuditEntry.objects.count(),
    )


# ----------------------------------------------------------------------- scope


@pytest.fixture
def requests_on_pilot(world, external_reviewer, stress_tester):
    return {
        "erin": file_request(world, external_reviewer, title="Erin asks"),
        "bob": file_request(world, stress_tester, title="Bob asks"),
        "bob_government": file_request(
            world, stress_tester, subject=world.out_of_scope, team=world.other_team, title="Bob asks about government"
        ),
        "bob_internal": file_request(
            world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Bob asks internally"
        ),
    }


@pytest.mark.parametrize(
    "persona_name,expected",
    [
        ("author", {"erin", "bob", "bob_government", "bob_internal"}),
        ("leadership", {"erin", "bob", "bob_government", "bob_internal"}),
        ("stress_tester", {"bob", "bob_government", "bob_internal"}),
        ("external_reviewer", {"erin"}),
        ("team_member", {"erin", "bob"}),
        ("outsider", set()),
    ],
)
def test_each_person_sees_the_requests_the_scope_rule_gives_them(request, requests_on_pilot, persona_name, expected):
    person = request.getfixturevalue(persona_name)
    seen = set(information_requests_visible_to(person).values_list("title", flat=True))
    titles = {key: information_request.title for key, information_request in requests_on_pilot.items()}
    assert seen == {titles[key] for key in expected}


def test_nobody_signed_out_sees_a_request(requests_on_pilot):
    from django.contrib.auth.models import AnonymousUser

    assert not information_requests_visible_to(AnonymousUser()).exists()


def test_a_request_whose_subject_leaves_the_readers_level_disappears_even_for_its_organisation(
    world, external_reviewer
):
    information_request = file_request(world, external_reviewer, subject=world.reviewer_claim)
    assert information_requests_visible_to(external_reviewer).filter(pk=information_request.pk).exists()
    world.reviewer_claim.sensitivity = Sensitivity.INTERNAL
    world.reviewer_claim.save()
    assert not information_requests_visible_to(external_reviewer).filter(pk=information_request.pk).exists()


def test_another_member_of_the_requesting_organisation_sees_and_acts_on_the_request(
    world, external_reviewer, team_member
):
    colleague = UserFactory(username="eve", clearance="external")
    access_grant(report=world.report, user=colleague, role="external_reviewer", org_name="Holdout Evaluators")
    information_request = file_request(world, external_reviewer)
    answer(information_request, team_member)
    assert information_requests_visible_to(colleague).filter(pk=information_request.pk).exists()
    follow_up(information_request, colleague)
    information_request.refresh_from_db()
    assert information_request.state == RequestState.FOLLOW_UP


def test_a_team_member_sees_only_their_teams_requests_on_another_report(world, team_member, stress_tester):
    other_report = ReportFactory(slug="other")
    access_grant(report=other_report, user=stress_tester, role="stress_tester", org_name="Stress-testing team")
    theirs = ClaimFactory(report=other_report, owner_team=world.team)
    elsewhere = ClaimFactory(report=other_report, owner_team=TeamFactory(slug="elsewhere"))
    mine = information_request_file_on(other_report, stress_tester, theirs, world.team)
    information_request_file_on(other_report, stress_tester, elsewhere, elsewhere.owner_team)
    assert list(information_requests_visible_to(team_member).filter(report=other_report)) == [mine]


def information_request_file_on(report, requester, claim, team):
    return request_file(
        report=report,
        requester=requester,
        subject=claim,
        team=team,
        title="Elsewhere",
        question="?",
        due_date=TODAY() + datetime.timedelta(days=3),
    )


# --------------------------------------------------------------------- filing


def test_the_filing_form_defaults_to_the_owner_and_five_working_days(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert "Ask the owning team" in body
    assert '<option value="security" selected>Security</option>' in body
    assert f'value="{working_days_after(TODAY()).isoformat()}"' in body


def test_five_working_days_skip_the_weekend():
    friday = datetime.date(2026, 11, 20)
    assert working_days_after(friday) == datetime.date(2026, 11, 27)
    assert working_days_after(datetime.date(2026, 11, 23)) == datetime.date(2026, 11, 30)


def _file(client, subject_kind, subject_slug, htmx=False, **overrides):
    data = {
        "request-title": "Are transfers detected at night?",
        "request-question": "We would like the **drill** logs.",
        "request-team": "security",
        "request-due_date": (TODAY() + datetime.timedelta(days=4)).isoformat(),
        "request-priority": "high",
        **{f"request-{key}": value for key, value in overrides.items()},
    }
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("request_file", args=["pilot", subject_kind, subject_slug]), data, **headers)


def test_a_reviewer_files_a_request_from_a_claim_page(client, world, external_reviewer):
    client.force_login(external_reviewer)
    response = _file(client, "claims", "egress-monitoring")
    information_request = InformationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(information_request)
    assert information_request.claim == world.public_claim
    assert information_request.team == world.team
    assert information_request.organisation.name == "Holdout Evaluators"
    assert information_request.state == RequestState.OPEN
    assert information_request.priority == "high"
    (question,) = information_request.messages.all()
    assert question.kind == MessageKind.QUESTION and "drill" in question.text
    entry = AuditEntry.objects.get(action="evidence.request.filed")
    assert entry.actor == external_reviewer and entry.target_id == information_request.pk
    page = client.get(response["Location"]).content.decode()
    assert "Request sent to Security" in page
    assert "<strong>drill</strong>" in page


def test_with_htmx_filing_re_renders_the_panel_with_the_new_request(client, world, stress_tester):
    client.force_login(stress_tester)
    response = _file(client, "evidence", "egress-review", htmx=True)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="request-panel"')
    assert "Are transfers detected at night?" in body
    assert "Request sent to Security" in body
    assert InformationRequest.objects.get().evidence == world.public_evidence


def test_a_request_from_a_pathway_goes_to_a_team_owning_one_of_its_claims(client, world, stress_tester):
    client.force_login(stress_tester)
    body = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert '<option value="security">Security</option>' in body
    assert '<option value="alignment">Alignment Science</option>' in body  # owns the internal claim
    response = _file(client, "pathways", "exfiltration", team="alignment")
    assert response.status_code == 302
    assert InformationRequest.objects.get().pathway == world.in_scope


def test_an_external_reviewer_is_not_offered_a_team_linked_only_through_internal_claims(
    client, world, external_reviewer
):
    client.force_login(external_reviewer)
    body = client.get(reverse("pathway_detail", args=["pilot", "exfiltration"])).content.decode()
    assert "Alignment Science" not in body
    response = _file(client, "pathways", "exfiltration", team="alignment")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_a_past_due_date_is_refused_next_to_the_field_and_the_text_is_kept(client, world, external_reviewer, htmx):
    client.force_login(external_reviewer)
    yesterday = (TODAY() - datetime.timedelta(days=1)).isoformat()
    response = _file(client, "claims", "egress-monitoring", htmx=htmx, due_date=yesterday)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose today or a later date." in body
    assert 'aria-invalid="true"' in body
    assert "We would like the **drill** logs." in body
    assert "Are transfers detected at night?" in body
    assert not InformationRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="evidence.request").exists()


def test_a_forged_team_that_owns_nothing_on_the_subject_is_refused(client, world, stress_tester):
    client.force_login(stress_tester)
    response = _file(client, "claims", "egress-monitoring", team="alignment")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_forged_team_of_another_report_is_refused(client, world, stress_tester):
    TeamFactory(slug="foreign")
    ClaimFactory(report=ReportFactory(slug="foreign-report"), owner_team=TeamFactory(slug="foreign"))
    client.force_login(stress_tester)
    response = _file(client, "claims", "egress-monitoring", team="foreign")
    assert response.status_code == 200
    assert not InformationRequest.objects.exists()


def test_a_subject_of_another_report_is_not_found(client, world, stress_tester):
    ClaimFactory(report=ReportFactory(slug="foreign-report"), slug="foreign-claim", owner_team=world.team)
    client.force_login(stress_tester)
    assert _file(client, "claims", "foreign-claim").status_code == 404
    assert not InformationRequest.objects.exists()


def test_an_out_of_scope_subject_is_not_found_for_the_external_reviewer(client, world, external_reviewer):
    client.force_login(external_reviewer)
    assert _file(client, "pathways", "government", team="alignment").status_code == 404
    assert _file(client, "claims", "internal-only", team="alignment").status_code == 404
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("persona_name", ["author", "leadership", "team_member"])
def test_people_who_are_not_reviewers_cannot_file(client, world, request, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert _file(client, "claims", "egress-monitoring").status_code == 403
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert "Ask the owning team" not in body
    assert "Reviewers can ask the owning team from here." in body
    assert not InformationRequest.objects.exists()


def test_without_htmx_the_filing_form_is_a_page_of_its_own(client, world, external_reviewer):
    client.force_login(external_reviewer)
    response = client.get(reverse("request_file", args=["pilot", "claims", "egress-monitoring"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Ask the owning team</h1>" in body
    assert "Large outbound transfers are detected." in body


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
    page = client.get(_detail(information_request)).content.decode()
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


def _to_state(world, state, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    if state in {"answered", "follow_up"}:
        answer(information_request, team_member)
    if state == "follow_up":
        follow_up(information_request, external_reviewer)
    if state == "closed":
        close(information_request, external_reviewer)
    if state == "declined":
        decline(information_request, team_member)
    information_request.refresh_from_db()
    return information_request


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
    information_request = _to_state(world, state, external_reviewer, team_member)
    before = _snapshot(information_request)
    client.force_login(request.getfixturevalue(actor))
    response = _post(client, information_request, action, htmx=htmx, **fields)
    assert response.status_code == (200 if htmx else 409)
    assert "cannot be" in response.content.decode()
    assert _snapshot(information_request) == before


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
    information_request = _to_state(world, state, external_reviewer, team_member)
    before = _snapshot(information_request)
    client.force_login(request.getfixturevalue(actor))
    assert _post(client, information_request, action, **fields).status_code == 403
    assert _snapshot(information_request) == before


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
    information_request = _to_state(world, "answered", external_reviewer, team_member)
    before = _snapshot(information_request)
    client.force_login(stress_tester)
    assert _post(client, information_request, action, **fields).status_code == 404
    assert _snapshot(information_request) == before


def test_another_teams_request_cannot_be_answered_by_a_member_of_a_different_team(
    client, world, stress_tester, team_member
):
    information_request = file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team)
    before = _snapshot(information_request)
    client.force_login(team_member)
    # tom can read the internal claim (his team owns part of the report) but not this team's request
    assert _post(client, information_request, "request_answer", text="Forged").status_code == 404
    assert _snapshot(information_request) == before


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


# ------------------------------------------------------------------- conflicts


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_two_members_answering_at_once_the_second_is_told_and_keeps_their_text(
    client, world, external_reviewer, team_member, htmx
):
    colleague = UserFactory(username="tess")
    team_member_add(team=world.team, user=colleague)
    information_request = file_request(world, external_reviewer)
    loaded_version = information_request.version
    answer(information_request, colleague, text="Tess got there first.")
    before = _snapshot(information_request)

    client.force_login(team_member)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(
        reverse("request_answer", args=["pilot", information_request.pk]),
        {"answer-version": loaded_version, "answer-text": "Tom's careful answer."},
        **headers,
    )
    body = response.content.decode()
    assert response.status_code == (200 if htmx else 409)
    assert "changed while you were writing" in body
    assert "Tom&#x27;s careful answer." in body  # kept in the form
    assert "Tess got there first." in body  # and the answer that won is shown
    assert _snapshot(information_request) == before
    information_request.refresh_from_db()
    assert f'name="answer-version" value="{information_request.version}"' in body

    # Sending again, now knowingly, adds to the answer.
    again = client.post(
        reverse("request_answer", args=["pilot", information_request.pk]),
        {"answer-version": information_request.version, "answer-text": "Tom's careful answer."},
    )
    assert again.status_code == 302
    assert information_request.messages.filter(kind=MessageKind.ANSWER).count() == 2


def test_a_stale_version_is_refused_by_the_service(world, external_reviewer, team_member):
    information_request = _to_state(world, "answered", external_reviewer, team_member)
    with pytest.raises(RequestConflict):
        request_follow_up(
            information_request=information_request,
            author=external_reviewer,
            text="x",
            version=information_request.version - 1,
        )


# ----------------------------------------------------------- answers and evidence


def test_an_answer_may_link_evidence_and_the_external_requester_sees_only_their_level(
    client, world, external_reviewer, team_member
):
    information_request = file_request(world, external_reviewer)
    client.force_login(team_member)
    form_page = client.get(_detail(information_request)).content.decode()
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
    assert "Classifier notes" in client.get(_detail(information_request)).content.decode()

    client.force_login(external_reviewer)
    page = client.get(_detail(information_request)).content.decode()
    assert "Egress review" in page
    assert "Classifier notes" not in page


def test_an_answer_cannot_link_evidence_of_another_report(client, world, external_reviewer, team_member):
    from tests.factories import EvidenceFactory

    EvidenceFactory(report=ReportFactory(slug="foreign"), slug="foreign-evidence", owner_team=world.team)
    information_request = file_request(world, external_reviewer)
    before = _snapshot(information_request)
    client.force_login(team_member)
    response = _post(client, information_request, "request_answer", text="See", evidence=["foreign-evidence"])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "See" in response.content.decode()
    assert _snapshot(information_request) == before


def test_the_answer_form_is_only_for_team_members_and_says_who_reads_it(
    client, world, stress_tester, team_member, author
):
    information_request = file_request(world, stress_tester)
    client.force_login(team_member)
    page = client.get(_detail(information_request)).content.decode()
    assert "Stress-testing team will read this answer." in page
    assert "external reviewers" not in page
    assert "Decline instead of answering" in page
    client.force_login(author)
    page = client.get(_detail(information_request)).content.decode()
    assert 'name="answer-text"' not in page and 'name="decline-reason"' not in page
    assert "Waiting for Security to answer." in page


def test_the_requester_sees_follow_up_and_close_only_once_answered(client, world, external_reviewer, team_member):
    information_request = file_request(world, external_reviewer)
    client.force_login(external_reviewer)
    page = client.get(_detail(information_request)).content.decode()
    assert 'name="follow_up-text"' not in page and 'name="close-text"' in page
    answer(information_request, team_member)
    page = client.get(_detail(information_request)).content.decode()
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


# ------------------------------------------------------------ list and inbox


def test_the_request_list_filters_by_state_and_team(client, world, author, stress_tester, team_member):
    answered = file_request(world, stress_tester, title="Answered one")
    answer(answered, team_member)
    file_request(world, stress_tester, title="Open one")
    file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Alignment one")
    client.force_login(author)
    url = reverse("request_list", args=["pilot"])
    body = client.get(url).content.decode()
    assert "Answered one" in body and "Open one" in body and "Alignment one" in body
    body = client.get(url, {"state": "answered"}).content.decode()
    assert "Answered one" in body and "Open one" not in body
    body = client.get(url, {"team": "alignment"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Alignment one" in body and "Open one" not in body and "<html" not in body


def test_a_forged_team_filter_is_an_error_not_a_leak(client, world, external_reviewer, stress_tester):
    file_request(world, stress_tester, subject=world.out_of_scope, team=world.other_team, title="Secret gov")
    client.force_login(external_reviewer)
    body = client.get(reverse("request_list", args=["pilot"]), {"team": "alignment"}).content.decode()
    assert "That filter is not available" in body
    assert "Secret gov" not in body
    assert "Alignment Science" not in body


def test_the_list_explains_an_empty_report(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("request_list", args=["pilot"])).content.decode()
    assert "No information requests you can see yet." in body


def test_the_inbox_groups_the_teams_requests_by_due_date(client, world, external_reviewer, stress_tester, team_member):
    today = TODAY()
    overdue = file_request(world, external_reviewer, title="Overdue one")
    InformationRequest.objects.filter(pk=overdue.pk).update(due_date=today - datetime.timedelta(days=3))
    file_request(world, stress_tester, title="Due soon one", due_date=today + datetime.timedelta(days=2))
    file_request(world, stress_tester, title="Later one", due_date=today + datetime.timedelta(days=10))
    done = file_request(world, stress_tester, title="Closed one")
    close(done, stress_tester)
    file_request(world, stress_tester, subject=world.internal_claim, team=world.other_team, title="Not my team")
    client.force_login(team_member)
    body = client.get(reverse("team_inbox")).content.decode()
    overdue_part, rest = body.split('id="inbox-due-soon-heading"')
    due_soon_part, open_part = rest.split('id="inbox-open-heading"')
    assert "Overdue one" in overdue_part and "Overdue · 3 days" in overdue_part
    assert "Due soon one" in due_soon_part and "Overdue one" not in due_soon_part
    assert "Later one" in open_part and "Due soon one" not in open_part
    assert "Closed one" not in body and "Not my team" not in body


def test_the_inbox_explains_itself_to_someone_with_nothing_to_act_on(client, world, author):
    """An author on no team, acting for no organisation and leading nothing: told where
    requests come from, in words, with no command to run."""
    client.force_login(author)
    body = client.get(reverse("team_inbox")).content.decode()
    assert "Nothing comes to your inbox yet." in body
    assert "manage.py" not in body and "<code>" not in body


def test_a_reviewer_finds_their_organisations_requests_in_the_inbox(
    client, world, external_reviewer, stress_tester, team_member
):
    waiting = file_request(world, external_reviewer, title="Erin waits")
    answered = file_request(world, external_reviewer, title="Erin has an answer")
    answer(answered, team_member)
    done = file_request(world, external_reviewer, title="Erin closed this")
    answer(done, team_member)
    close(done, external_reviewer)
    file_request(world, stress_tester, title="Bob's own question")
    client.force_login(external_reviewer)
    body = client.get(reverse("team_inbox")).content.decode()
    assert "Requests from Holdout Evaluators" in body
    groups = {
        key: body.split(f'id="inbox-{key}-heading"')[1].split("</section>")[0]
        for key in ("answered", "waiting", "ended")
    }
    assert "(1)" in groups["answered"] and "Erin has an answer" in groups["answered"]
    assert "(1)" in groups["waiting"] and waiting.title in groups["waiting"]
    assert "(1)" in groups["ended"] and "Erin closed this" in groups["ended"]
    assert "Bob&#x27;s own question" not in body and "Bob's own question" not in body
    assert "For your teams" not in body and "Nothing comes to your inbox" not in body


def test_leadership_finds_the_overdue_requests_of_the_reports_they_lead(
    client, world, leadership, external_reviewer, stress_tester
):
    today = timezone.localdate()
    late = file_request(world, external_reviewer, title="Late one")
    on_time = file_request(world, stress_tester, title="On time")
    InformationRequest.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=4))
    elsewhere = ReportFactory(slug="other")
    client.force_login(leadership)
    body = client.get(reverse("team_inbox")).content.decode()
    section = body.split('id="inbox-led-overdue-heading"')[1].split("</section>")[0]
    assert "Overdue on the reports you lead" in body and "(1)" in section
    assert "Late one" in section and "Overdue · 4 days" in section and on_time.title not in section
    assert elsewhere.title not in body


# ------------------------------------------------------------ report summary


def test_the_report_shows_open_and_overdue_counts_and_the_median_time_to_first_answer(
    client, world, author, stress_tester, team_member
):
    now = timezone.now()
    for hours in (2, 10, 30):
        information_request = file_request(world, stress_tester)
        answer(information_request, team_member)
        InformationRequest.objects.filter(pk=information_request.pk).update(
            created_at=now - datetime.timedelta(hours=hours), first_answered_at=now
        )
    late = file_request(world, stress_tester)
    InformationRequest.objects.filter(pk=late.pk).update(due_date=TODAY() - datetime.timedelta(days=1))
    done = file_request(world, stress_tester)
    close(done, stress_tester)
    client.force_login(author)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    row = body.split('href="/reports/pilot/requests/?team=security">Security</a></th>')[1].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("</td")[0] for cell in row.split("<td")[1:]]
    assert cells[0] == "1"  # the one awaiting an answer: answered ones wait on the asker, the closed one is done
    assert "1 overdue" in cells[1]
    assert cells[2] == "10 hours"


def test_the_report_summary_explains_when_there_are_no_requests(client, world, author):
    client.force_login(author)
    body = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    assert "No information requests you can see yet." in body


def test_the_panel_shows_the_subjects_requests_with_days_overdue(client, world, external_reviewer, stress_tester):
    mine = file_request(world, external_reviewer, title="Erin on egress")
    InformationRequest.objects.filter(pk=mine.pk).update(due_date=TODAY() - datetime.timedelta(days=2))
    file_request(world, stress_tester, title="Bob on egress")
    client.force_login(external_reviewer)
    body = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    assert "Erin on egress" in body and "Overdue · 2 days" in body
    assert "Bob on egress" not in body


@pytest.mark.django_db(transaction=True)
def test_two_members_racing_on_the_database_one_answer_wins_and_the_other_is_refused(world, external_reviewer):
    import threading

    from django.db import connection as main_connection
    from django.db import connections

    members = [UserFactory(username=name) for name in ("tom", "tess")]
    for member in members:
        team_member_add(team=world.team, user=member)
    information_request = file_request(world, external_reviewer)
    start = threading.Barrier(2)
    outcomes = {}

    def answer_as(member):
        try:
            start.wait()
            request_answer(
                information_request=information_request,
                answerer=member,
                text=f"{member.username} answers",
                version=1,
            )
            outcomes[member.username] = "sent"
        except RequestConflict:
            outcomes[member.username] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer_as, args=[member]) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    main_connection.ensure_connection()
    assert sorted(outcomes.values()) == ["refused", "sent"]
    information_request.refresh_from_db()
    assert information_request.version == 2
    assert information_request.messages.filter(kind=MessageKind.ANSWER).count() == 1
