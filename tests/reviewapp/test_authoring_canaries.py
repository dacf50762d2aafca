"""No authoring page, fragment, history or audit-log answer gives the external reviewer a
canary string: the edit forms answer 403 or 404, the histories and the log 404."""

from django.urls import reverse

from pathways.models import AuditEntry
from pathways.services import claim_update, pathway_update
from tests.conftest import ALL_CANARIES


def _authoring_urls(world):
    report = world.report
    urls = [
        reverse("audit_log", args=[report.slug]),
        reverse("overall_conclusion_edit", args=[report.slug]),
        reverse("overall_conclusion_history", args=[report.slug]),
    ]
    urls += [reverse("audit_entry", args=[report.slug, entry.pk]) for entry in AuditEntry.objects.all()]
    for pathway in report.pathways.all():
        for section in ("critical-action", "argument"):
            urls.append(reverse("pathway_edit", args=[report.slug, pathway.slug, section]))
        urls += [
            reverse("pathway_history", args=[report.slug, pathway.slug]),
            reverse("conclusion_edit", args=[report.slug, pathway.slug]),
            reverse("conclusion_history", args=[report.slug, pathway.slug]),
        ]
    for claim in report.claims.all():
        urls += [
            reverse("claim_edit", args=[report.slug, claim.slug]),
            reverse("claim_history", args=[report.slug, claim.slug]),
        ]
    for evidence in report.evidence_items.all():
        urls += [
            reverse("evidence_edit", args=[report.slug, evidence.slug]),
            reverse("evidence_history", args=[report.slug, evidence.slug]),
        ]
    return urls


def test_no_canary_reaches_the_external_reviewer_through_authoring_urls(client, world, author, external_reviewer):
    claim_update(claim=world.internal_claim, editor=author, version=1, rationale="Edited internal claim.")
    pathway_update(pathway=world.out_of_scope, editor=author, version=1, argument="Edited out-of-scope argument.")
    client.force_login(external_reviewer)
    for url in _authoring_urls(world):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code in (403, 404), url
            body = response.content.decode()
            for canary in ALL_CANARIES:
                assert canary not in body, f"{canary} leaked through {url}"


def test_the_external_reviewer_cannot_learn_from_a_post_either(client, world, external_reviewer):
    client.force_login(external_reviewer)
    response = client.post(
        reverse("claim_edit", args=["pilot", "egress-monitoring"]), {"version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    for canary in ALL_CANARIES:
        assert canary not in response.content.decode()
