"""The sign-off dashboard and sign-off decisions: who may read and decide, the verdict
matrix with missing and stale verdicts, open items, the readiness line, the refusal with
reasons and the written override, the confirmation step, and the frozen snapshot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.enums import RequestState
from evidence.models import InformationRequest
from pathways.enums import ReportStatus
from pathways.models import AuditEntry
from reviewapp.enums import Position, SignOffDecision
from reviewapp.models import Comment, SignOff, Verdict
from reviewapp.services.signoff import SignOffError, signoff_record
from tests.conftest import CANARY_OUT_OF_SCOPE
from tests.reviewapp.matrix.verdicts import conclusion_of, edit_conclusion, given
from tests.reviewapp.signing import dashboard, main_of, sign


@pytest.fixture(autouse=True)
def version(signoff_version):
    """The version leadership decides on: a sign-off is of a published version."""
    return signoff_version


# ------------------------------------------------------------------ access


@pytest.mark.parametrize(
    "persona_name,status",
    [
        ("leadership", 200),
        ("author", 200),
        ("stress_tester", 403),
        ("external_reviewer", 403),
        ("team_member", 403),
        ("outsider", 404),
    ],
)
def test_the_dashboard_is_for_leadership_and_readable_by_authors(client, world, request, persona_name, status):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(reverse("signoff_dashboard", args=["pilot"])).status_code == status


def test_authors_read_the_dashboard_but_cannot_sign_off(client, world, author):
    client.force_login(author)
    body = dashboard(client)
    assert "Leadership records the sign-off decision here" in body
    assert reverse("signoff_record", args=["pilot"]) not in body
    assert sign(client, step="confirm").status_code == 403
    assert not SignOff.objects.exists()


# ------------------------------------------------------------------ matrix


def test_the_matrix_shows_each_organisations_verdict_missing_and_out_of_scope_cells(
    client, world, leadership, reviewers
):
    bob, erin = reviewers
    given(erin, conclusion_of(world, "exfiltration"), Position.DISSENT, "Egress *gaps*.")
    given(bob, conclusion_of(world, "backdoors"))
    client.force_login(leadership)
    body = dashboard(client)
    assert "<table" in body and '<th scope="col">Holdout Evaluators' in body and "Stress-testing team<br>" in body
    matrix = body[body.index('class="data cards verdict-matrix') :]
    matrix = matrix[: matrix.index("</table>")]
    assert matrix.count('<th scope="row">') == 4  # three pathways and the overall conclusion
    assert 'verdict-dissent"><span aria-hidden="true">✕</span> Dissent</span>' in body
    assert "<summary>Rationale</summary>" in body and "Egress <em>gaps</em>." in body
    assert body.count("verdict-missing") == 1 + 5  # the legend, then 8 cells less 2 given less 1 not reviewed
    assert body.count("not reviewing this pathway") == 1  # erin is not given the government pathway


def test_a_stale_verdict_shows_stale_on_the_dashboard(client, world, author, leadership, reviewers):
    bob, erin = reviewers
    given(erin, conclusion_of(world, "exfiltration"), Position.DISSENT, "No.")
    given(bob, conclusion_of(world, "backdoors"))
    client.force_login(leadership)
    assert "· stale</span>" not in dashboard(client)
    edit_conclusion(conclusion_of(world, "exfiltration"), "Changed.", editor=author)
    body = dashboard(client)
    attention, matrix = body.split('id="matrix-heading"')
    assert matrix.count("· stale</span>") == 1
    assert "verdict-dissent stale" in matrix
    assert attention.count("· stale</span>") == 1, "and once more at the top, under Needs attention"


def test_the_readiness_line_counts_pathways_with_current_concurrence_from_every_organisation(
    client, world, author, leadership, all_concur
):
    client.force_login(leadership)
    assert (
        "3 of 3 reviewed pathways have current concurrence from every organisation reviewing them; "
        "the overall conclusion has it too."
    ) in dashboard(client)
    edit_conclusion(conclusion_of(world, "backdoors"), "Changed.", editor=author)
    assert "2 of 3 reviewed pathways have current concurrence" in dashboard(client)
    bob = Verdict.objects.filter(organisation__name="Stress-testing team").first().recorded_by
    given(bob, conclusion_of(world, "government"), Position.DISSENT, "No.")
    assert "1 of 3 reviewed pathways have current concurrence" in dashboard(client)


def test_the_readiness_line_leaves_out_pathways_no_organisation_reviews(client, world, leadership, external_reviewer):
    """erin alone reviews, and only two of the three pathways: the third is not counted
    against readiness, and the line says so."""
    for pathway in ["exfiltration", "backdoors"]:
        given(external_reviewer, conclusion_of(world, pathway))
    client.force_login(leadership)
    line = dashboard(client).split('id="readiness">')[1].split("</p>")[0]
    assert line.startswith(
        "2 of 2 reviewed pathways have current concurrence from every organisation reviewing them; "
        "no organisation reviews the other one;"
    )


def test_the_readiness_line_says_when_no_organisation_reviews_a_pathway(client, world, leadership):
    client.force_login(leadership)
    line = dashboard(client).split('id="readiness">')[1].split("</p>")[0]
    assert line.startswith("No reviewer organisation reviews a pathway yet")
    assert " of " not in line


def test_concurrence_under_a_conclusion_says_how_many_concur_and_with_what(client, world, leadership, all_concur):
    """bob concurs on all; erin concurs with reservations on the two pathways she reviews
    and the overall conclusion; the government pathway is bob's alone."""
    client.force_login(leadership)
    body = dashboard(client)
    matrix = body.split('id="matrix-heading"')[1]

    def row(title):
        return matrix.split(title)[1].split("</th>")[0]

    assert "all 2 reviewing organisations concur, 1 with reservations" in row("Self-exfiltration")
    assert "its one reviewing organisation concurs<" in row("Government decisions")
    assert "every organisation concurs" not in body
    bob = Verdict.objects.filter(organisation__name="Stress-testing team").first().recorded_by
    given(bob, conclusion_of(world, "government"), Position.CONCUR_WITH_RESERVATIONS, "Thin.")
    matrix = dashboard(client).split('id="matrix-heading"')[1]
    assert "its one reviewing organisation concurs with reservations" in row("Government decisions")


def test_open_and_overdue_requests_are_counted_by_team_and_unresolved_threads(
    client, world, leadership, external_reviewer
):
    today = timezone.localdate()

    def ask(team, state, due):
        return InformationRequest.objects.create(
            report=world.report,
            pathway=world.in_scope,
            team=team,
            requester=external_reviewer,
            organisation=external_reviewer.organisation,
            title="How fast?",
            question="How fast would you notice?",
            due_date=today + timedelta(days=due),
            state=state,
        )

    ask(world.team, RequestState.OPEN, -2)  # overdue
    ask(world.team, RequestState.FOLLOW_UP, 3)
    ask(world.team, RequestState.CLOSED, -9)
    ask(world.other_team, RequestState.OPEN, 0)  # due today: not yet overdue
    ask(world.other_team, RequestState.ANSWERED, -9)
    root = Comment.objects.create(report=world.report, pathway=world.in_scope, author=leadership, text="Q")
    Comment.objects.create(report=world.report, pathway=world.in_scope, author=leadership, text="A", parent=root)
    Comment.objects.create(
        report=world.report, pathway=world.in_scope, author=leadership, text="Done", resolved_at=timezone.now()
    )
    client.force_login(leadership)
    body = dashboard(client)
    assert "3 open, 1 overdue." in body
    assert '<th scope="row">Security</th><td class="num">2</td>' in body and "1 overdue</span>" in body
    assert '<th scope="row">Alignment Science</th><td class="num">1</td><td class="num">0</td>' in body
    assert "1 unresolved comment thread on this report." in body


def test_empty_states_say_what_would_be_here(client, world, leadership):
    client.force_login(leadership)
    body = dashboard(client)
    assert "No reviewer organisation reviews this report yet." in body
    assert "No information requests are open." in body
    assert "No unresolved comment threads." in body
    assert "No sign-off decision has been recorded yet." in body


# ---------------------------------------------------------------- sign-off


def test_sign_off_is_refused_with_reasons_while_verdicts_are_missing_or_stale(
    client, world, author, leadership, reviewers
):
    bob, _erin = reviewers
    given(bob, conclusion_of(world, "exfiltration"))
    edit_conclusion(conclusion_of(world, "exfiltration"), "Changed.", editor=author)
    client.force_login(leadership)
    assert "Before you decide: 7 conditions of a sign-off are not met." in dashboard(client)
    for step in ["", "confirm"]:
        response = sign(client, step=step, note="Looks fine.")
        body = response.content.decode()
        assert response.status_code == 200
        assert "The sign-off was not recorded" in body
        assert "The verdict of Stress-testing team on “Self-exfiltration” is stale" in body
        assert "Holdout Evaluators has not given a verdict on the overall conclusion." in body
        assert "Looks fine." in body  # what was typed is kept
    with pytest.raises(SignOffError) as refusal:
        signoff_record(report=world.report, decider=leadership, decision=SignOffDecision.APPROVE)
    assert len(refusal.value.reasons) == 7  # bob: 1 stale + 3 missing; erin: 3 missing
    assert not SignOff.objects.exists()
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.DRAFT


def test_an_override_needs_a_written_reason(client, world, leadership, reviewers):
    client.force_login(leadership)
    body = sign(client, step="confirm", override="on", override_reason=" ").content.decode()
    assert "Say why you sign off without waiting for what is listed." in body
    assert not SignOff.objects.exists()
    with pytest.raises(SignOffError):
        signoff_record(report=world.report, decider=leadership, decision="approve", override=True, override_reason="")


def test_sign_off_with_an_override_asks_once_then_records_it(client, world, leadership, reviewers):
    client.force_login(leadership)
    fields = {"note": "Ship it.", "override": "on", "override_reason": "The board meets today."}
    body = sign(client, **fields).content.decode()
    assert "You are about to record “Approve”" in body
    assert "The report will be marked <strong>signed off</strong>." in body
    assert "You override 7 unmet conditions of a sign-off" in body
    assert not SignOff.objects.exists(), "asking is not recording"
    back = sign(client, step="edit", **fields).content.decode()
    assert "Continue" in back and "The board meets today." in back and not SignOff.objects.exists()
    response = sign(client, step="confirm", **fields)
    signoff = SignOff.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("signoff_detail", args=["pilot", signoff.pk])
    assert (signoff.decision, signoff.decided_by, signoff.note) == ("approve", leadership, "Ship it.")
    assert signoff.override_reason == "The board meets today."
    assert len(signoff.snapshot["blocking_reasons"]) == 7
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.SIGNED_OFF
    entry = AuditEntry.objects.get(action="reviewapp.signoff.recorded")
    assert entry.target_id == signoff.pk and entry.data["overridden"] is True
    page = client.get(response["Location"]).content.decode()
    assert "Recorded “Approve”" in page and "The board meets today." in page and "overridden" in page


def test_with_every_verdict_current_no_override_is_needed(client, world, leadership, all_concur):
    client.force_login(leadership)
    assert "Override" not in dashboard(client)
    response = sign(client, step="confirm", decision="approve_with_conditions", note="Fix egress alerts by June.")
    assert response.status_code == 302
    signoff = SignOff.objects.get()
    assert signoff.override_reason == "" and signoff.snapshot["blocking_reasons"] == []
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.SIGNED_OFF


def test_approval_with_conditions_needs_the_conditions(client, world, leadership, all_concur):
    client.force_login(leadership)
    body = sign(client, step="confirm", decision="approve_with_conditions").content.decode()
    assert "Write down the conditions of the approval." in body
    assert not SignOff.objects.exists()


def test_not_approved_is_recorded_and_leaves_the_status(client, world, leadership, all_concur):
    client.force_login(leadership)
    sign(client, step="confirm", decision="not_approved", note="Not yet.")
    assert SignOff.objects.get().decision == "not_approved"
    world.report.refresh_from_db()
    assert world.report.status == ReportStatus.DRAFT


def test_a_signed_off_report_takes_no_further_decision(client, world, leadership, all_concur):
    client.force_login(leadership)
    sign(client, step="confirm")
    body = dashboard(client)
    assert "This version of the report is signed off." in body
    with pytest.raises(SignOffError, match="already signed off"):
        signoff_record(report=world.report, decider=leadership, decision="not_approved")
    assert SignOff.objects.count() == 1


def test_only_leadership_signs_off_in_the_service_too(world, author, all_concur):
    with pytest.raises(SignOffError, match="Only leadership"):
        signoff_record(report=world.report, decider=author, decision="approve")
    assert not SignOff.objects.exists()


def test_with_htmx_the_form_is_swapped_in_place_and_the_decision_redirects(client, world, leadership, all_concur):
    client.force_login(leadership)
    asked = sign(client, htmx=True).content.decode()
    assert "<html" not in asked and 'id="signoff"' in asked and "You are about to record" in asked
    done = sign(client, step="confirm", htmx=True)
    signoff = SignOff.objects.get()
    assert done["HX-Redirect"] == reverse("signoff_detail", args=["pilot", signoff.pk])


# ---------------------------------------------------------------- snapshot


def test_the_snapshot_is_frozen(client, world, author, leadership, reviewers, all_concur):
    _bob, erin = reviewers
    given(erin, conclusion_of(world, "backdoors"), Position.DISSENT, "Backdoor audits were sampled.")
    client.force_login(leadership)
    sign(client, step="confirm", decision="not_approved", note="Dissent on backdoors.")
    signoff = SignOff.objects.get()
    frozen = signoff.snapshot
    backdoors = next(row for row in frozen["conclusions"] if row["pathway"] == "backdoors")
    assert backdoors["text"] == "Low risk." and backdoors["revision"] == 1 and backdoors["risk_level"] == "low"
    erins = next(cell for cell in backdoors["verdicts"] if cell["organisation"] == "Holdout Evaluators")
    assert (erins["position"], erins["rationale"], erins["stale"]) == (
        "dissent",
        "Backdoor audits were sampled.",
        False,
    )
    assert frozen["open_items"] == {
        "requests_open": 0,
        "requests_overdue": 0,
        "requests_by_team": [],
        "unresolved_threads": 0,
    }
    url = reverse("signoff_detail", args=["pilot", signoff.pk])
    before = client.get(url).content.decode()

    edit_conclusion(conclusion_of(world, "backdoors"), "Moderate after the new audit.", editor=author)
    given(erin, conclusion_of(world, "backdoors"), Position.CONCUR)
    Comment.objects.create(report=world.report, pathway=world.in_scope, author=leadership, text="Later.")

    signoff.refresh_from_db()
    assert signoff.snapshot == frozen
    after = client.get(url).content.decode()
    assert "Backdoor audits were sampled." in after and "Moderate after the new audit." not in after
    assert main_of(before) == main_of(after)
    assert "1 unresolved comment thread" in dashboard(client)  # the live dashboard moves on


def test_sign_offs_are_listed_on_the_dashboard(client, world, leadership, all_concur):
    client.force_login(leadership)
    sign(client, step="confirm", decision="not_approved", note="Not yet.")
    signoff = SignOff.objects.get()
    body = dashboard(client)
    assert f'<a href="{reverse("signoff_detail", args=["pilot", signoff.pk])}">Not approved</a>' in body


def test_the_dashboard_and_snapshot_show_internal_readers_everything(client, world, leadership, reviewers):
    bob, _ = reviewers
    given(bob, conclusion_of(world, "government"), Position.DISSENT, f"Worry {CANARY_OUT_OF_SCOPE}")
    client.force_login(leadership)
    assert CANARY_OUT_OF_SCOPE in dashboard(client)  # leadership sees the whole report
