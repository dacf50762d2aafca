"""Canary strings sit in internal claims, internal evidence, internal spans and in a
pathway outside the external reviewer's scope. No response the external reviewer can
get — pages, fragments, filters, 404s — may carry any of them."""

import pytest
from django.urls import reverse

from tests.conftest import ALL_CANARIES, CANARY_INTERNAL_SPAN, REVIEWER_VISIBLE


def _every_reader_url(world):
    report = world.report
    urls = [
        reverse("home"),
        reverse("report_detail", args=[report.slug]),
        reverse("claim_index", args=[report.slug]),
        reverse("load_bearing", args=[report.slug]),
        reverse("evidence_index", args=[report.slug]),
    ]
    for pathway in report.pathways.all():
        urls.append(reverse("pathway_detail", args=[report.slug, pathway.slug]))
        urls.append(reverse("claim_index", args=[report.slug]) + f"?pathway={pathway.slug}")
    for claim in report.claims.all():
        urls.append(reverse("claim_detail", args=[report.slug, claim.slug]))
        urls.append(reverse("claim_evidence", args=[report.slug, claim.slug]))
        urls.append(reverse("claim_index", args=[report.slug]) + f"?team={claim.owner_team.slug}")
    for evidence in report.evidence_items.all():
        urls.append(reverse("evidence_detail", args=[report.slug, evidence.slug]))
    return urls


def _responses(client, world):
    for url in _every_reader_url(world):
        yield url, client.get(url)
        yield url + " (htmx)", client.get(url, HTTP_HX_REQUEST="true")


def test_no_canary_reaches_the_external_reviewer(client, world, external_reviewer):
    client.force_login(external_reviewer)
    seen_reviewer_material = False
    for url, response in _responses(client, world):
        body = response.content.decode()
        for canary in ALL_CANARIES:
            assert canary not in body, f"{canary} leaked through {url}"
        seen_reviewer_material |= REVIEWER_VISIBLE in body
    assert seen_reviewer_material, "reviewer-level material must reach the external reviewer"


@pytest.mark.parametrize("url_name", ["report_detail", "claim_detail"])
def test_the_external_reviewer_sees_reviewer_spans_and_a_redaction_marker(client, world, external_reviewer, url_name):
    client.force_login(external_reviewer)
    args = [world.report.slug] + (["egress-monitoring"] if url_name == "claim_detail" else [])
    body = client.get(reverse(url_name, args=args)).content.decode()
    assert REVIEWER_VISIBLE in body
    assert 'class="redacted"' in body
    assert CANARY_INTERNAL_SPAN not in body


def test_internal_readers_see_the_internal_material(client, world, stress_tester):
    client.force_login(stress_tester)
    body = client.get(reverse("claim_detail", args=[world.report.slug, "egress-monitoring"])).content.decode()
    assert CANARY_INTERNAL_SPAN in body
    assert "Classifier notes" in body  # internal evidence linked as undermining
    load_bearing = client.get(reverse("load_bearing", args=[world.report.slug])).content.decode()
    assert "undermining evidence</span>" in load_bearing


def test_the_banner_tells_the_external_reviewer_what_they_see(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("report_detail", args=[world.report.slug])).content.decode()
    assert "External reviewer" in body
    assert "Holdout Evaluators" in body
    assert "reviewer-level material" in body
    assert "the 2 pathways granted to you, not the whole report" in body
    assert "of 3 pathways" not in body and "all 3 pathways" not in body  # no count of what is out of scope


def test_counts_shown_to_the_external_reviewer_leave_out_what_they_cannot_see(client, world, external_reviewer):
    client.force_login(external_reviewer)
    body = client.get(reverse("pathway_detail", args=[world.report.slug, "exfiltration"])).content.decode()
    # egress-monitoring has a public and an internal evidence item: only one is counted.
    assert "Show 1 evidence item<" in body
    load_bearing = client.get(reverse("load_bearing", args=[world.report.slug])).content.decode()
    assert "undermining evidence</span>" not in load_bearing  # the undermining item is internal
