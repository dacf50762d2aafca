"""A sign-off is of the latest published version: recorded against it, refused while the
report has none, and refused when a newer one was published while deciding."""

import pytest
from django.urls import reverse

from pathways.models import AuditEntry
from reviewapp.models import SignOff, Verdict
from reviewapp.services.signoff import SignOffError, signoff_record
from tests.factories import ReportVersionFactory
from tests.reviewapp.signing import dashboard, main_of, sign
from versions.models import ReportVersion


@pytest.fixture(autouse=True)
def version(signoff_version):
    return signoff_version


def test_a_sign_off_is_of_the_latest_published_version(client, world, leadership, all_concur, version):
    client.force_login(leadership)
    body = dashboard(client)
    assert "Decision on version 1, “11 February”" in body
    assert reverse("version_changes", args=["pilot", 1]) in body
    confirm = sign(client).content.decode()
    assert "on version 1, “11 February”, of this report" in confirm
    assert '<input type="hidden" name="version" value="1">' in confirm
    sign(client, step="confirm", version="1")
    signoff = SignOff.objects.get()
    assert signoff.published_version == version
    assert signoff.snapshot["published_version"]["number"] == 1
    assert signoff.snapshot["published_version"]["name"] == "11 February"
    assert AuditEntry.objects.get(action="reviewapp.signoff.recorded").data["version"] == 1
    detail = client.get(reverse("signoff_detail", args=["pilot", signoff.pk])).content.decode()
    assert "of published version" in detail and reverse("version_detail", args=["pilot", 1]) in detail
    assert reverse("version_detail", args=["pilot", 1]) in dashboard(client)


def test_without_a_published_version_there_is_nothing_to_sign_off(client, world, leadership, all_concur):
    Verdict.objects.update(published_version=None)
    ReportVersion.objects.all().delete()
    client.force_login(leadership)
    body = dashboard(client)
    assert "A sign-off is of a published version, and this report has none yet" in body
    assert reverse("version_list", args=["pilot"]) in body
    assert "Continue" not in main_of(body)
    response = sign(client, step="confirm")
    assert "this report has none yet: its authors publish one first" in response.content.decode()
    assert not SignOff.objects.exists()
    with pytest.raises(SignOffError, match="has none yet"):
        signoff_record(report=world.report, decider=leadership, decision="approve")
    assert not SignOff.objects.exists()


def test_a_version_published_while_deciding_refuses_the_decision(client, world, author, leadership, all_concur):
    client.force_login(leadership)
    sign(client)  # the confirmation, of version 1
    ReportVersionFactory(report=world.report, author=author, name="3 March")
    body = sign(client, step="confirm", version="1").content.decode()
    assert "Version 2, “3 March”, was published since you opened the page" in body
    assert not SignOff.objects.exists()
    sign(client, step="confirm", version="2")
    assert SignOff.objects.get().published_version.name == "3 March"


def test_without_a_version_the_dashboard_still_lists_what_a_sign_off_waits_for(client, world, leadership, reviewers):
    ReportVersion.objects.all().delete()
    client.force_login(leadership)
    body = dashboard(client)
    assert "this report has none yet" in body
    assert "Meanwhile, 7 conditions of a sign-off are not met." in body
    assert "Holdout Evaluators has not given a verdict on “Self-exfiltration”." in body
