"""Verdicts going stale when a conclusion changes and re-confirming them, and what the external
reviewer and the report's pages show of every organisation's verdicts."""

import pytest
from django.urls import reverse

from pathways.models import AuditEntry
from reviewapp.enums import Position
from reviewapp.models import Verdict
from reviewapp.services.verdicts import VerdictError, verdict_reconfirm
from tests.conftest import CANARY_INTERNAL_SPAN, CANARY_OUT_OF_SCOPE, REVIEWER_VISIBLE
from tests.helpers import HTMX
from tests.reviewapp.matrix.verdicts import conclusion_of, edit_conclusion, given
from tests.reviewapp.verdicting import current, page, record

# ----------------------------------------------------------------- staleness


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
