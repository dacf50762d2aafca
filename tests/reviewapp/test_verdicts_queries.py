"""The verdict parts of pages (conclusion box, pathway column), the conclusion's verdict page,
the dashboard and a recorded sign-off make the same number of queries however many
pathways, reviewer organisations and verdicts there are."""

import itertools

import pytest
from django.urls import reverse

from pathways.enums import Clearance
from pathways.models import Conclusion
from pathways.services import access_grant
from reviewapp.enums import Position
from reviewapp.models import SignOff
from reviewapp.services.verdicts import verdict_record
from tests.factories import PathwayFactory, UserFactory
from tests.factories.versions import published
from tests.helpers import query_count

_serial = itertools.count()


def grow(world, times):
    """Per step: a pathway, an internal and an external organisation (the external one limited
    to exfiltration and the new pathway), and their verdicts on every conclusion they see,
    the exfiltration ones then made stale."""
    for _ in range(times):
        n = next(_serial)
        pathway = PathwayFactory(report=world.report)
        internal = UserFactory(username=f"tester{n}")
        access_grant(report=world.report, user=internal, role="stress_tester", org_name=f"Internal team {n}")
        external = UserFactory(username=f"outside{n}", clearance=Clearance.EXTERNAL)
        access_grant(
            report=world.report,
            user=external,
            role="external_reviewer",
            org_name=f"Outside org {n}",
            pathway_slugs=["exfiltration", pathway.slug],
        )
        for conclusion in Conclusion.objects.filter(report=world.report):
            for person in [internal, external]:
                visible = (
                    conclusion.pathway_id is None
                    or person is internal
                    or conclusion.pathway_id
                    in {
                        world.in_scope.pk,
                        pathway.pk,
                    }
                )
                if visible:
                    verdict_record(
                        conclusion=conclusion,
                        recorder=person,
                        position=Position.DISSENT,
                        rationale=f"Reason {n}.",
                        revision=conclusion.revision,
                    )
    exfiltration = Conclusion.objects.get(pathway=world.in_scope)
    Conclusion.objects.filter(pk=exfiltration.pk).update(revision=exfiltration.revision + 1)


count_queries = query_count


def _url(world, name):
    exfiltration = Conclusion.objects.get(pathway=world.in_scope)
    overall = Conclusion.objects.get(report=world.report, pathway=None)
    return {
        "report_detail": reverse("report_detail", args=["pilot"]),
        "pathway_detail": reverse("pathway_detail", args=["pilot", "exfiltration"]),
        "verdict_history": reverse("verdict_history", args=["pilot", exfiltration.pk]),
        "verdict_record": reverse("verdict_record", args=["pilot", overall.pk]),
        "signoff_dashboard": reverse("signoff_dashboard", args=["pilot"]),
    }[name]


READERS = ["author", "stress_tester", "external_reviewer"]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("name", ["report_detail", "pathway_detail", "verdict_history"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_pages_with_verdicts_do_not_grow_with_pathways_and_organisations(client, world, request, reader, name, htmx):
    client.force_login(request.getfixturevalue(reader))
    grow(world, 1)
    small = count_queries(client, _url(world, name), htmx=htmx)
    grow(world, 2)
    large = count_queries(client, _url(world, name), htmx=htmx)
    assert small == large, f"{name}: {small} queries with the data grown once, {large} with it grown three times"


@pytest.mark.parametrize("reader", ["stress_tester", "external_reviewer"])
def test_recording_a_verdict_in_place_does_not_grow_with_the_data(client, world, request, reader):
    client.force_login(request.getfixturevalue(reader))

    def post():
        overall = Conclusion.objects.get(report=world.report, pathway=None)
        data = {"position": Position.CONCUR, "revision": overall.revision}
        return count_queries(client, _url(world, "verdict_record"), method="post", data=data, htmx=True)

    grow(world, 1)
    small = post()
    grow(world, 2)
    large = post()
    assert small == large
    assert small <= 20, f"recording a verdict makes {small} queries"


@pytest.mark.parametrize("reader", ["leadership", "author"])
def test_the_dashboard_does_not_grow_with_pathways_and_organisations(client, world, request, reader):
    client.force_login(request.getfixturevalue(reader))
    grow(world, 1)
    small = count_queries(client, _url(world, "signoff_dashboard"))
    grow(world, 2)
    large = count_queries(client, _url(world, "signoff_dashboard"))
    assert small == large
    assert small <= 15, f"the dashboard makes {small} queries"


def test_signing_off_and_a_recorded_sign_off_do_not_grow_with_the_data(client, world, leadership):
    client.force_login(leadership)
    url = reverse("signoff_record", args=["pilot"])
    data = {"decision": "not_approved", "note": "No.", "override": "on", "override_reason": "Test.", "step": "confirm"}
    published(world.report)
    grow(world, 1)
    small = count_queries(client, url, method="post", data=data)
    small_page = count_queries(client, reverse("signoff_detail", args=["pilot", SignOff.objects.latest("id").pk]))
    grow(world, 2)
    large = count_queries(client, url, method="post", data=data)
    large_page = count_queries(client, reverse("signoff_detail", args=["pilot", SignOff.objects.latest("id").pk]))
    assert (small, small_page) == (large, large_page)
    assert small_page <= 12
