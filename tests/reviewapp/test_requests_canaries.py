"""Canaries for information requests: a request about the `government` pathway (out of the
external reviewer's scope), a request of another organisation, internal evidence linked in
an answer and an internal span inside an answer never reach the external reviewer — not
through the list, the detail page, a panel, the inbox, a fragment, a 404 or a count."""

import pytest
from django.urls import reverse

from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_EVIDENCE
from tests.reviewapp.matrix.requests import answer, file_request

CANARY_REQUEST_OUT_OF_SCOPE = "CANARY-REQUEST-OUT-OF-SCOPE-3c7d"
CANARY_REQUEST_OTHER_ORG = "CANARY-REQUEST-OTHER-ORG-a1f0"
CANARY_ANSWER_SPAN = "CANARY-ANSWER-INTERNAL-SPAN-66e2"
REQUEST_CANARIES = [*ALL_CANARIES, CANARY_REQUEST_OUT_OF_SCOPE, CANARY_REQUEST_OTHER_ORG, CANARY_ANSWER_SPAN]


@pytest.fixture
def canary_requests(world, external_reviewer, stress_tester, team_member):
    government = file_request(
        world,
        stress_tester,
        subject=world.out_of_scope,
        team=world.other_team,
        title=f"Gov {CANARY_REQUEST_OUT_OF_SCOPE}",
        question=f"About government {CANARY_REQUEST_OUT_OF_SCOPE}",
    )
    other_org = file_request(
        world,
        stress_tester,
        title=f"Stress {CANARY_REQUEST_OTHER_ORG}",
        question=f"Internal worry {CANARY_REQUEST_OTHER_ORG}",
    )
    answer(other_org, team_member, text=f"For the stress-testers {CANARY_REQUEST_OTHER_ORG}")
    mine = file_request(world, external_reviewer, title="Holdout question on egress")
    answer(
        mine,
        team_member,
        text=f"Public part. [[internal]]{CANARY_ANSWER_SPAN}[[/internal]]",
        evidence_items=[world.public_evidence, world.internal_evidence],
    )
    return {"government": government, "other_org": other_org, "mine": mine}


def _urls(world, canary_requests):
    report = world.report.slug
    urls = [
        reverse("team_inbox"),
        reverse("report_detail", args=[report]),
        reverse("request_list", args=[report]),
        reverse("request_list", args=[report]) + "?state=answered",
        reverse("request_list", args=[report]) + "?state=overdue",
        reverse("request_list", args=[report]) + "?team=alignment",
        reverse("request_list", args=[report]) + "?team=security",
    ]
    for information_request in canary_requests.values():
        urls.append(reverse("request_detail", args=[report, information_request.pk]))
    for pathway in world.report.pathways.all():
        urls.append(reverse("pathway_detail", args=[report, pathway.slug]))
        urls.append(reverse("request_file", args=[report, "pathways", pathway.slug]))
    for claim in world.report.claims.all():
        urls.append(reverse("claim_detail", args=[report, claim.slug]))
        urls.append(reverse("request_file", args=[report, "claims", claim.slug]))
    for evidence in world.report.evidence_items.all():
        urls.append(reverse("evidence_detail", args=[report, evidence.slug]))
        urls.append(reverse("request_file", args=[report, "evidence", evidence.slug]))
    return urls


def test_no_request_canary_reaches_the_external_reviewer(client, world, external_reviewer, canary_requests):
    client.force_login(external_reviewer)
    for url in _urls(world, canary_requests):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            body = client.get(url, **headers).content.decode()
            for canary in REQUEST_CANARIES:
                assert canary not in body, f"{canary} leaked through {url} {headers}"
    page = client.get(reverse("request_detail", args=["pilot", canary_requests["mine"].pk])).content.decode()
    assert "Public part." in page and 'class="redacted"' in page
    assert "Egress review" in page


def test_the_requests_do_reach_the_people_who_may_read_them(client, world, author, canary_requests):
    """The canaries are real: the author reads them all (so the test above can fail)."""
    client.force_login(author)
    listing = client.get(reverse("request_list", args=["pilot"])).content.decode()
    assert CANARY_REQUEST_OUT_OF_SCOPE in listing and CANARY_REQUEST_OTHER_ORG in listing
    detail = client.get(reverse("request_detail", args=["pilot", canary_requests["mine"].pk])).content.decode()
    assert CANARY_INTERNAL_EVIDENCE in detail and CANARY_ANSWER_SPAN in detail


def test_the_external_reviewer_gets_404_for_requests_they_may_not_see(
    client, world, external_reviewer, canary_requests
):
    client.force_login(external_reviewer)
    for key in ("government", "other_org"):
        url = reverse("request_detail", args=["pilot", canary_requests[key].pk])
        assert client.get(url).status_code == 404


def test_counts_shown_to_the_external_reviewer_leave_out_requests_they_cannot_see(
    client, world, external_reviewer, stress_tester, canary_requests
):
    # One open request to Security from each organisation (the fixture's are answered).
    file_request(world, external_reviewer, subject=world.in_scope, title="Erin, still waiting")
    file_request(world, stress_tester, subject=world.in_scope, title="Stress-testers, still waiting")
    client.force_login(external_reviewer)
    report = client.get(reverse("report_detail", args=["pilot"])).content.decode()
    summary = report.split('id="request-summary-heading"')[1].split("</section>")[0]
    assert "Alignment Science" not in summary  # its only request is out of scope
    security_row = summary.split(">Security</a></th>")[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in security_row  # erin's open request, not the stress-testers'
    listing = client.get(reverse("request_list", args=["pilot"])).content.decode()
    assert "2 requests<" in listing
    page = client.get(reverse("claim_detail", args=["pilot", "egress-monitoring"])).content.decode()
    panel = page.split('class="page-aside"')[1]
    assert panel.count('href="/reports/pilot/requests/') == 2  # erin's request and "All requests"
