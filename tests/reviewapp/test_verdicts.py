"""Verdicts: recording one per organisation, the rationale rule, history, staleness when a
conclusion changes and re-confirming, forged posts, htmx and plain-form behaviour, and what
the external reviewer may see of other organisations' verdicts."""

import re

import pytest
from django.urls import reverse

from pathways.models import AuditEntry, Conclusion
from reviewapp.enums import Position
from reviewapp.models import Verdict
from reviewapp.services.verdicts import VerdictError, verdict_reconfirm
from tests.conftest import CANARY_INTERNAL_SPAN, CANARY_OUT_OF_SCOPE, REVIEWER_VISIBLE
from tests.factories import ReportFactory
from tests.helpers import HTMX
from tests.reviewapp.matrix.verdicts import conclusion_of, edit_conclusion, given


def record(client, conclusion, position, rationale="", *, htmx=False, revision=None, **extra):
    data = {"position": position, "rationale": rationale, "revision": revision or conclusion.revision, **extra}
    url = reverse("verdict_record", args=[conclusion.report.slug, conclusion.pk])
    return client.post(url, data, **(HTMX if htmx else {}))


def current(conclusion, organisation):
    return Verdict.objects.get(conclusion=conclusion, organisation=organisation, is_current=True)


def page(client, url_name, *args, **headers):
    response = client.get(reverse(url_name, args=["pilot", *args]), **headers)
    assert response.status_code == 200
    return response.content.decode()


# ------------------------------------------------------------------ recording


def test_a_stress_tester_records_a_verdict_for_their_organisation(client, world, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    response = record(client, conclusion, Position.CONCUR)
    assert response.status_code == 302
    assert response["Location"] == f"/reports/pilot/pathways/exfiltration/#verdicts-{conclusion.pk}"
    verdict = current(conclusion, stress_tester.organisation)
    assert verdict.organisation.name == "Stress-testing team"
    assert (verdict.position, verdict.recorded_by) == (Position.CONCUR, stress_tester)
    assert (verdict.conclusion_revision, verdict.conclusion_text) == (1, conclusion.text)
    assert verdict.conclusion_risk_level == conclusion.risk_level
    body = client.get(response["Location"]).content.decode()
    assert "Recorded “Concur” for Stress-testing team." in body
    assert 'class="chip verdict verdict-concur"' in body


def test_recording_writes_the_audit_log(world, external_reviewer):
    verdict = given(external_reviewer, conclusion_of(world, "backdoors"), Position.DISSENT, "No.")
    entry = AuditEntry.objects.get(action="reviewapp.verdict.recorded")
    assert (entry.report, entry.actor, entry.target_id) == (world.report, external_reviewer, verdict.pk)
    assert entry.data["organisation"] == "Holdout Evaluators" and entry.data["position"] == "dissent"


@pytest.mark.parametrize("position", [Position.CONCUR_WITH_RESERVATIONS, Position.DISSENT, Position.ABSTAIN])
def test_a_rationale_is_required_except_for_concur(client, world, stress_tester, position):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    response = record(client, conclusion, position, "   ")
    assert response.status_code == 200
    body = response.content.decode()
    assert "a rationale is required unless you concur" in body
    assert re.search(rf'value="{position}"[^>]*checked', body), "the chosen position is kept"
    assert 'aria-invalid="true"' in body
    assert not Verdict.objects.exists()
    with pytest.raises(VerdictError, match="rationale is required"):
        given(stress_tester, conclusion, position, "")
    assert not Verdict.objects.exists()


def test_concur_needs_no_rationale_and_the_others_record_with_one(world, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    assert given(stress_tester, conclusion, Position.CONCUR).rationale == ""
    for position in [Position.CONCUR_WITH_RESERVATIONS, Position.DISSENT, Position.ABSTAIN]:
        assert given(stress_tester, conclusion, position, f"Because {position}.").position == position


def test_a_refused_plain_post_keeps_what_was_typed_on_the_conclusions_page(client, world, external_reviewer):
    conclusion = conclusion_of(world, "backdoors")
    client.force_login(external_reviewer)
    response = record(client, conclusion, "", "My careful reasoning.")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "Choose a position." in body and "My careful reasoning." in body
    assert not Verdict.objects.exists()


def test_recording_again_keeps_one_current_verdict_and_the_history(client, world, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    record(client, conclusion, Position.CONCUR)
    record(client, conclusion, Position.DISSENT, "On reflection, no: the drills were too few.")
    verdicts = Verdict.objects.filter(conclusion=conclusion, organisation=stress_tester.organisation)
    assert verdicts.count() == 2
    assert list(verdicts.filter(is_current=True).values_list("position", flat=True)) == [Position.DISSENT]
    history = page(client, "verdict_history", conclusion.pk)
    assert history.count("<td>replaced</td>") == 1 and history.count("<td>current</td>") == 1
    assert "On reflection, no" in history


@pytest.mark.django_db(transaction=True)
def test_two_members_recording_at_once_leave_exactly_one_current_verdict(world, stress_tester):
    import threading

    from django.db import connection

    from pathways.services import access_grant
    from tests.factories import UserFactory

    colleague = UserFactory(username="bea")
    access_grant(report=world.report, user=colleague, role="stress_tester", org_name="Stress-testing team")
    conclusion = conclusion_of(world, "exfiltration")
    barrier = threading.Barrier(2)
    errors = []

    def record_as(person, position):
        try:
            barrier.wait()
            given(person, conclusion, position, "Recorded at the same moment.")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record_as, args=(stress_tester, Position.CONCUR)),
        threading.Thread(target=record_as, args=(colleague, Position.DISSENT)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    verdicts = Verdict.objects.filter(conclusion=conclusion, organisation=stress_tester.organisation)
    assert verdicts.count() == 2
    assert verdicts.filter(is_current=True).count() == 1


# ----------------------------------------------------------------- staleness


@pytest.fixture
def verdicts_everywhere(world, stress_tester, external_reviewer):
    """Both organisations' verdicts on exfiltration, backdoors and the overall conclusion."""
    recorded = {}
    for pathway in ["exfiltration", "backdoors", None]:
        conclusion = conclusion_of(world, pathway)
        recorded[(pathway, "bob")] = given(stress_tester, conclusion, Position.DISSENT, f"Bob on {pathway}.")
        recorded[(pathway, "erin")] = given(external_reviewer, conclusion, Position.CONCUR)
    return recorded


def _stale_in(body: str) -> int:
    return body.count(" · stale</span>")


def test_editing_a_conclusion_marks_exactly_the_verdicts_on_it_stale(client, world, author, verdicts_everywhere):
    exfiltration = conclusion_of(world, "exfiltration")
    edit_conclusion(exfiltration, "Low, now that egress monitoring covers every cluster.", editor=author)
    stale = {key for key, verdict in verdicts_everywhere.items() if Verdict.objects.get(pk=verdict.pk).is_stale}
    assert stale == {("exfiltration", "bob"), ("exfiltration", "erin")}
    client.force_login(author)
    assert _stale_in(page(client, "verdict_history", exfiltration.pk)) == 2 + 2  # the box, and the history table
    assert _stale_in(page(client, "verdict_history", conclusion_of(world, "backdoors").pk)) == 0
    report_page = page(client, "report_detail")
    assert _stale_in(report_page) == 0  # the overall conclusion's verdicts stand
    assert report_page.count("verdict-dissent stale") == 1 and report_page.count("verdict-concur stale") == 1  # nav


def test_re_confirming_clears_staleness_with_the_same_position_and_rationale(
    client, world, author, stress_tester, verdicts_everywhere
):
    exfiltration = edit_conclusion(conclusion_of(world, "exfiltration"), "Changed once.", editor=author)
    stale = verdicts_everywhere[("exfiltration", "bob")]
    client.force_login(stress_tester)
    response = client.post(reverse("verdict_reconfirm", args=["pilot", stale.pk]))
    assert response.status_code == 302
    confirmed = current(exfiltration, stress_tester.organisation)
    assert confirmed.pk != stale.pk and not confirmed.is_stale
    assert (confirmed.position, confirmed.rationale) == (stale.position, stale.rationale)
    assert (confirmed.conclusion_revision, confirmed.conclusion_text) == (2, "Changed once.")
    assert not Verdict.objects.get(pk=stale.pk).is_current
    erins = verdicts_everywhere[("exfiltration", "erin")]
    assert current(exfiltration, erins.organisation).is_stale, "the other organisation's stays stale until re-confirmed"
    entry = AuditEntry.objects.get(action="reviewapp.verdict.reconfirmed")
    assert entry.target_id == confirmed.pk and entry.data["previous_revision"] == 1
    body = client.get(response["Location"]).content.decode()
    assert "Re-confirmed “Dissent” against the current conclusion." in body


def test_re_confirming_in_place_with_htmx_re_renders_the_box(
    client, world, author, external_reviewer, verdicts_everywhere
):
    backdoors = edit_conclusion(conclusion_of(world, "backdoors"), "Changed.", editor=author)
    stale = verdicts_everywhere[("backdoors", "erin")]
    client.force_login(external_reviewer)
    fragment = client.post(reverse("verdict_reconfirm", args=["pilot", stale.pk]), **HTMX).content.decode()
    assert "<html" not in fragment and f'id="verdicts-{backdoors.pk}"' in fragment
    assert "Re-confirmed" in fragment
    assert "Holdout Evaluators" in fragment and "verdict-concur stale" not in fragment
    assert "verdict-dissent stale" in fragment  # the Stress-testing team's still is


def test_the_reconfirm_button_shows_only_on_ones_own_stale_verdict(
    client, world, author, external_reviewer, verdicts_everywhere
):
    exfiltration = edit_conclusion(conclusion_of(world, "exfiltration"), "Changed.", editor=author)
    client.force_login(external_reviewer)
    body = page(client, "verdict_history", exfiltration.pk)
    erins = verdicts_everywhere[("exfiltration", "erin")]
    bobs = verdicts_everywhere[("exfiltration", "bob")]
    assert reverse("verdict_reconfirm", args=["pilot", erins.pk]) in body
    assert reverse("verdict_reconfirm", args=["pilot", bobs.pk]) not in body


def test_a_current_verdict_cannot_be_re_confirmed(client, world, stress_tester, verdicts_everywhere):
    verdict = verdicts_everywhere[("backdoors", "bob")]
    client.force_login(stress_tester)
    response = client.post(reverse("verdict_reconfirm", args=["pilot", verdict.pk]), follow=True)
    assert "already answers the current conclusion" in response.content.decode()
    assert Verdict.objects.filter(conclusion=verdict.conclusion, organisation=verdict.organisation).count() == 1


def test_a_replaced_verdict_cannot_be_re_confirmed(world, author, stress_tester, verdicts_everywhere):
    old = verdicts_everywhere[("exfiltration", "bob")]
    conclusion = edit_conclusion(conclusion_of(world, "exfiltration"), "Changed.", editor=author)
    given(stress_tester, conclusion, Position.CONCUR)
    with pytest.raises(VerdictError, match="newer verdict"):
        verdict_reconfirm(verdict=old, recorder=stress_tester)
    assert current(conclusion, stress_tester.organisation).position == Position.CONCUR


def test_a_verdict_on_a_text_the_reviewer_did_not_read_is_refused(client, world, author, stress_tester):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(stress_tester)
    edit_conclusion(conclusion, "The authors changed it while bob was reading.", editor=author)
    response = record(client, conclusion, Position.DISSENT, "Bob's typed reasoning.", revision=1)
    body = response.content.decode()
    assert "changed this conclusion since you opened the page" in body
    assert "Bob&#x27;s typed reasoning." in body or "Bob's typed reasoning." in body
    assert not Verdict.objects.exists()


# ---------------------------------------------------------- refused, forged


def _snapshot():
    return list(Verdict.objects.order_by("pk").values())


def test_another_organisations_verdict_cannot_be_re_confirmed(
    client, world, author, external_reviewer, verdicts_everywhere
):
    edit_conclusion(conclusion_of(world, "exfiltration"), "Changed.", editor=author)
    before = _snapshot()
    client.force_login(external_reviewer)
    bobs = verdicts_everywhere[("exfiltration", "bob")]
    assert client.post(reverse("verdict_reconfirm", args=["pilot", bobs.pk])).status_code == 403
    assert client.post(reverse("verdict_reconfirm", args=["pilot", bobs.pk]), **HTMX).status_code == 403
    with pytest.raises(VerdictError, match="Only Stress-testing team"):
        verdict_reconfirm(verdict=bobs, recorder=external_reviewer)
    assert _snapshot() == before


def test_a_forged_organisation_in_the_post_records_only_for_ones_own(client, world, stress_tester, external_reviewer):
    conclusion = conclusion_of(world, "exfiltration")
    erins = given(external_reviewer, conclusion, Position.CONCUR)
    client.force_login(stress_tester)
    record(client, conclusion, Position.DISSENT, "Forged.", organisation=external_reviewer.organisation.pk)
    assert current(conclusion, external_reviewer.organisation).pk == erins.pk
    assert current(conclusion, stress_tester.organisation).rationale == "Forged."


def test_an_out_of_scope_conclusion_is_refused_as_not_found(client, world, external_reviewer, stress_tester):
    government = conclusion_of(world, "government")
    given(stress_tester, government, Position.CONCUR)
    before = _snapshot()
    client.force_login(external_reviewer)
    assert record(client, government, Position.DISSENT, "Out of scope.").status_code == 404
    assert record(client, government, Position.DISSENT, "Out of scope.", htmx=True).status_code == 404
    with pytest.raises(VerdictError):
        given(external_reviewer, government, Position.DISSENT, "Out of scope.")
    assert _snapshot() == before


def test_another_reports_conclusion_is_refused_as_not_found(client, world, stress_tester):
    other = Conclusion.objects.get(report=ReportFactory(slug="other-report"), pathway=None)
    client.force_login(stress_tester)
    assert (
        client.post(
            reverse("verdict_record", args=["pilot", other.pk]), {"position": "concur", "revision": 1}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("verdict_record", args=["other-report", other.pk]), {"position": "concur", "revision": 1}
        ).status_code
        == 404
    )
    with pytest.raises(VerdictError):
        given(stress_tester, other)
    assert not Verdict.objects.exists()


@pytest.mark.parametrize("persona_name", ["author", "leadership", "team_member"])
def test_people_who_do_not_review_cannot_record(client, world, request, persona_name):
    person = request.getfixturevalue(persona_name)
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(person)
    assert record(client, conclusion, Position.CONCUR).status_code == 403
    with pytest.raises(VerdictError, match="Only reviewers"):
        given(person, conclusion)
    assert not Verdict.objects.exists()


def test_the_form_shows_only_to_reviewers(client, world, author, stress_tester):
    url = reverse("verdict_record", args=["pilot", conclusion_of(world, None).pk])
    client.force_login(author)
    assert url not in page(client, "report_detail")
    client.force_login(stress_tester)
    body = page(client, "report_detail")
    assert url in body and "Record the verdict of Stress-testing team" in body


# --------------------------------------------------------------------- htmx


def test_recording_with_htmx_re_renders_the_conclusion_box(client, world, external_reviewer):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(external_reviewer)
    fragment = record(client, conclusion, Position.DISSENT, "The monitoring has gaps.", htmx=True).content.decode()
    assert "<html" not in fragment and f'id="verdicts-{conclusion.pk}"' in fragment
    assert "Recorded “Dissent” for Holdout Evaluators." in fragment
    assert "The monitoring has gaps." in fragment
    assert "Change the verdict of Holdout Evaluators" in fragment
    nav = f'<span id="nav-verdicts-{world.in_scope.pk}" class="meta verdict-summary" hx-swap-oob="true">'
    assert nav in fragment and "Holdout Evaluators: dissent" in fragment  # the pathway column, out of band


def test_a_refused_htmx_post_keeps_what_was_typed(client, world, external_reviewer):
    conclusion = conclusion_of(world, "exfiltration")
    client.force_login(external_reviewer)
    response = record(client, conclusion, Position.ABSTAIN, "", htmx=True)
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert "a rationale is required unless you concur" in fragment
    assert re.search(r'value="abstain"[^>]*checked', fragment)


# ------------------------------------------------------------ who sees what


def test_the_external_reviewer_sees_every_organisations_verdict_on_their_conclusions(
    client, world, external_reviewer, verdicts_everywhere
):
    client.force_login(external_reviewer)
    body = page(client, "verdict_history", conclusion_of(world, "exfiltration").pk)
    assert "Stress-testing team" in body and "Bob on exfiltration." in body


def test_no_verdict_on_an_out_of_scope_conclusion_reaches_the_external_reviewer(
    client, world, stress_tester, external_reviewer
):
    government = conclusion_of(world, "government")
    given(stress_tester, government, Position.DISSENT, f"Government worry {CANARY_OUT_OF_SCOPE}")
    given(
        stress_tester,
        conclusion_of(world, "exfiltration"),
        Position.DISSENT,
        f"Shared [[reviewer]]{REVIEWER_VISIBLE}[[/reviewer]] and [[internal]]{CANARY_INTERNAL_SPAN}[[/internal]].",
    )
    client.force_login(external_reviewer)
    urls = [
        reverse("report_detail", args=["pilot"]),
        reverse("pathway_detail", args=["pilot", "exfiltration"]),
        reverse("pathway_detail", args=["pilot", "backdoors"]),
        reverse("verdict_history", args=["pilot", conclusion_of(world, "exfiltration").pk]),
        reverse("verdict_history", args=["pilot", conclusion_of(world, None).pk]),
        reverse("verdict_history", args=["pilot", government.pk]),
        reverse("signoff_dashboard", args=["pilot"]),
    ]
    bodies = [client.get(url, **headers).content.decode() for url in urls for headers in ({}, HTMX)]
    bodies.append(record(client, conclusion_of(world, "exfiltration"), Position.CONCUR, htmx=True).content.decode())
    bodies.append(record(client, government, Position.CONCUR, htmx=True).content.decode())
    for body in bodies:
        assert CANARY_OUT_OF_SCOPE not in body and CANARY_INTERNAL_SPAN not in body
        assert "Government worry" not in body
    assert any(REVIEWER_VISIBLE in body for body in bodies), "the shared part of bob's rationale reaches erin"


def test_the_pathway_column_shows_a_compact_summary_per_pathway(client, world, author, verdicts_everywhere):
    client.force_login(author)
    body = page(client, "report_detail")
    start = body.index('class="pathway-nav"')
    nav = body[start : body.index("</nav>", start)]
    assert nav.count("verdict-dissent") == 2 and nav.count("verdict-concur") == 2  # exfiltration and backdoors
    assert "Stress-testing team: dissent" in nav and "Holdout Evaluators: concur" in nav


def test_the_report_page_links_leadership_and_authors_to_the_dashboard(client, world, leadership, stress_tester):
    url = reverse("signoff_dashboard", args=["pilot"])
    client.force_login(leadership)
    assert f'<a href="{url}">Sign-off dashboard</a>' in page(client, "report_detail")
    client.force_login(stress_tester)
    assert url not in page(client, "report_detail")
