"""The next model's report in the app: starting it, the carried-forward evidence in the Inbox
and on the report page, confirming and replacing it, sign-off waiting for it, the last
verdict beside each conclusion, and Across models — each cut to what the reader may see."""

import pytest
from django.urls import reverse

from evidence.enums import Carried
from evidence.models import Evidence
from evidence.services.carrying import report_start_next
from pathways.enums import Clearance
from pathways.models import Report
from pathways.services import access_grant
from reviewapp.enums import Position
from tests.conftest import CANARY_INTERNAL_EVIDENCE, CANARY_OUT_OF_SCOPE, CANARY_OUT_OF_SCOPE_CLAIM
from tests.factories import PathwayFactory, ReportVersionFactory, UserFactory
from tests.helpers import assert_no_long_query, body, page_queries
from tests.reviewapp.matrix.verdicts import conclusion_of, given


def review_only(report, person, pathway: str) -> None:
    """An external reviewer of Holdout Evaluators, on one pathway of the report."""
    access_grant(
        report=report, user=person, role="external_reviewer", org_name="Holdout Evaluators", pathway_slugs=[pathway]
    )


@pytest.fixture
def next_report(world, author) -> Report:
    return report_start_next(report=world.report, slug="pilot-2", model_name="Model Two", starter=author)


def test_an_author_starts_the_next_report_from_the_report_page(client, world, author):
    client.force_login(author)
    page = body(client, reverse("report_detail", args=["pilot"]))
    assert reverse("report_next", args=["pilot"]) in page
    form = body(client, reverse("report_next", args=["pilot"]))
    assert "none of its review" in page and "carried forward — confirm or replace" in form
    response = client.post(reverse("report_next", args=["pilot"]), {"model_name": "Model Two", "slug": "pilot-2"})
    assert response.status_code == 302 and response["Location"] == reverse("report_detail", args=["pilot-2"])
    created = client.get(response["Location"]).content.decode()
    assert "Started “Pilot report (Model Two)” from this report" in created
    assert 'Started from <a href="/reports/pilot/">Pilot report</a>' in created
    assert "3 carried-forward evidence items are still to be confirmed or replaced" in created
    old = body(client, reverse("report_detail", args=["pilot"]))
    assert 'The next model\'s report: <a href="/reports/pilot-2/">Pilot report (Model Two)</a>' in old


def test_a_refused_start_says_why_and_creates_nothing(client, world, author):
    client.force_login(author)
    reports = Report.objects.count()
    page = client.post(reverse("report_next", args=["pilot"]), {"model_name": "Model Two", "slug": "pilot"})
    assert page.status_code == 200
    assert "A report called “pilot” exists already" in page.content.decode()
    page = client.post(reverse("report_next", args=["pilot"]), {"model_name": "", "slug": "Bad slug"})
    text = page.content.decode()
    assert "Name the model the new report is about." in text
    assert Report.objects.count() == reports


def test_a_report_page_never_names_a_neighbour_the_reader_cannot_see(client, world, author, stress_tester):
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two")
    access_grant(report=created, user=stress_tester, role="stress_tester", org_name="Stress-testing team")
    other = UserFactory(username="newcomer")
    access_grant(report=created, user=other, role="stress_tester", org_name="Newcomers")
    client.force_login(other)
    page = body(client, reverse("report_detail", args=["pilot-2"]))
    assert "Pilot report</a>" not in page and "Started from" not in page
    client.force_login(author)  # an author of the old report only
    assert "The next model's report" not in body(client, reverse("report_detail", args=["pilot"]))


def test_the_owning_team_finds_its_carried_items_in_the_inbox_and_confirms_one(client, world, next_report, team_member):
    client.force_login(team_member)
    inbox = body(client, reverse("team_inbox"))
    assert "Carried forward — confirm or replace" in inbox
    assert reverse("evidence_carried", args=["pilot-2", "egress-review"]) in inbox
    assert "Gov usage" not in inbox  # owned by another team
    page = body(client, reverse("evidence_carried", args=["pilot-2", "egress-review"]))
    assert "Confirm for Model Two" in page and "Replace for Model Two" in page
    refused = client.post(reverse("evidence_carried", args=["pilot-2", "egress-review"]), {"action": "confirm"})
    assert "Say why it still holds" in refused.content.decode()
    response = client.post(
        reverse("evidence_carried", args=["pilot-2", "egress-review"]),
        {"action": "confirm", "note": "Re-ran the drill on Model Two."},
    )
    assert response["Location"] == reverse("evidence_detail", args=["pilot-2", "egress-review"])
    detail = client.get(response["Location"]).content.decode()
    assert "Confirmed “Egress review” for Model Two." in detail and "Re-ran the drill on Model Two." in detail
    assert Evidence.objects.get(report=next_report, slug="egress-review").carried == Carried.CONFIRMED
    assert reverse("evidence_carried", args=["pilot-2", "egress-review"]) not in body(client, reverse("team_inbox"))
    again = body(client, reverse("evidence_carried", args=["pilot-2", "egress-review"]))
    assert "Decided" in again and "Confirm for Model Two" not in again


def test_replacing_from_the_page_and_a_stale_replacement(client, world, next_report, team_member):
    client.force_login(team_member)
    url = reverse("evidence_carried", args=["pilot-2", "egress-review"])
    fields = {"action": "replace", "title": "Egress review, Model Two", "summary": "Re-run: all alerted.", "source": ""}
    stale = client.post(url, {**fields, "version": "9"})
    assert "Someone changed this item since you opened the page" in stale.content.decode()
    assert Evidence.objects.get(report=next_report, slug="egress-review").carried == Carried.UNCONFIRMED
    response = client.post(url, {**fields, "version": "1"})
    assert response.status_code == 302
    item = Evidence.objects.get(report=next_report, slug="egress-review")
    assert (item.carried, item.title, item.summary) == (
        Carried.REPLACED,
        "Egress review, Model Two",
        "Re-run: all alerted.",
    )


def test_the_count_of_unconfirmed_items_is_of_what_the_reader_may_see(client, world, next_report, external_reviewer):
    review_only(next_report, external_reviewer, "exfiltration")
    client.force_login(external_reviewer)
    page = body(client, reverse("report_detail", args=["pilot-2"]))
    assert "1 carried-forward evidence item is still to be confirmed or replaced" in page
    listed = body(client, reverse("evidence_index", args=["pilot-2"]) + "?carried=unconfirmed")
    assert "Egress review" in listed
    for canary in (CANARY_INTERNAL_EVIDENCE, CANARY_OUT_OF_SCOPE_CLAIM, "Classifier notes", "Gov usage"):
        assert canary not in page and canary not in listed


def test_sign_off_waits_for_the_carried_items_unless_overridden(client, world, next_report, author):
    leader = UserFactory(username="lead2")
    access_grant(report=next_report, user=leader, role="leadership")
    ReportVersionFactory(report=next_report, author=author, name="First look")
    client.force_login(leader)
    dashboard = body(client, reverse("signoff_dashboard", args=["pilot-2"]))
    assert "3 carried-forward evidence items are still to be confirmed or replaced by the owning teams." in dashboard
    url = reverse("signoff_record", args=["pilot-2"])
    refused = client.post(url, {"decision": "approve", "step": "confirm", "version": "1"}).content.decode()
    assert "The sign-off was not recorded" in refused and not next_report.sign_offs.exists()
    fields = {"decision": "approve", "override": "on", "override_reason": "Board today.", "version": "1"}
    assert client.post(url, {**fields, "step": "confirm"}).status_code == 302
    signoff = next_report.sign_offs.get()
    assert any("carried-forward" in reason for reason in signoff.snapshot["blocking_reasons"])


def test_a_reviewer_sees_their_last_verdict_beside_each_conclusion(client, world, stress_tester):
    given(stress_tester, conclusion_of(world, "exfiltration"), Position.DISSENT, "Egress drills were sampled.")
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two")
    access_grant(report=created, user=stress_tester, role="stress_tester", org_name="Stress-testing team")
    client.force_login(stress_tester)
    page = body(client, reverse("pathway_detail", args=["pilot-2", "exfiltration"]))
    assert "On the previous model's report" in page and "Stress-testing team said" in page
    assert "verdict-dissent" in page and "Egress drills were sampled." in page
    other = body(client, reverse("pathway_detail", args=["pilot-2", "backdoors"]))
    assert "On the previous model's report" not in other  # no verdict there


def test_the_last_verdict_is_shown_only_where_the_reader_could_see_it(client, world, external_reviewer):
    colleague = UserFactory(username="holdout-lead", clearance=Clearance.EXTERNAL)
    access_grant(report=world.report, user=colleague, role="external_reviewer", org_name="Holdout Evaluators")
    given(colleague, conclusion_of(world, "government"), Position.DISSENT, f"Worry {CANARY_OUT_OF_SCOPE}")
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two")
    review_only(created, external_reviewer, "government")
    client.force_login(external_reviewer)
    page = body(client, reverse("pathway_detail", args=["pilot-2", "government"]))
    assert "On the previous model's report" not in page and "Worry" not in page


def test_across_models_sets_the_reports_side_by_side(client, world, author, stress_tester, external_reviewer):
    given(stress_tester, conclusion_of(world, "exfiltration"), Position.DISSENT, "Sampled.")
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two", starter=author)
    PathwayFactory(report=created, slug="new-pathway", title="A pathway new in Model Two", position=9)
    review_only(created, external_reviewer, "exfiltration")
    client.force_login(author)
    page = body(client, reverse("across_models", args=["pilot-2"]))
    assert page.index("Pilot report") < page.index("Model Two")
    assert "A pathway new in Model Two" in page and "Not in this report" in page
    assert "Stress-testing team: " in page and "verdict-dissent" in page
    client.force_login(external_reviewer)
    limited = body(client, reverse("across_models", args=["pilot-2"]))
    assert "Self-exfiltration" in limited
    assert CANARY_OUT_OF_SCOPE not in limited and "A pathway new in Model Two" not in limited


def test_across_models_of_a_report_with_no_chain_says_so(client, world, author):
    client.force_login(author)
    assert "there is nothing to compare yet" in body(client, reverse("across_models", args=["pilot"]))


@pytest.mark.parametrize("reader", ["author", "external_reviewer"])
def test_across_models_does_not_grow_with_the_data(client, world, author, external_reviewer, reader, request):
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two", starter=author)
    review_only(created, external_reviewer, "exfiltration")
    client.force_login(request.getfixturevalue(reader))
    url = reverse("across_models", args=["pilot-2"])
    small = page_queries(client, url)
    for report in (world.report, created):
        for n in range(3):
            PathwayFactory(report=report, slug=f"more-{n}")
    large = page_queries(client, url)
    assert len(small) == len(large) == 9
    assert_no_long_query(large)
