"""Invitations: a report's authors invite someone new by email; the link works once, for a
while, for that report only; the invitee chooses a username and password and has exactly
the access they were invited to. Expired, reused, withdrawn, forged and cross-report links
are refused alike, and bad input changes nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathways.access import access_of
from pathways.enums import Clearance, Role, Sensitivity
from pathways.invitations import invitation_create
from pathways.models import AuditEntry, Invitation, User
from tests.factories import ReportFactory, UserFactory
from tests.helpers import authenticator_code

INVITE = reverse("people_invite", args=["pilot"])
PASSWORD = "a-long-passphrase-for-review"


def invite(client, world, **overrides):
    data = {
        "email": "ines@reviewers.example",
        "name": "Ines Outside",
        "clearance": "external",
        "role": "external_reviewer",
        "organisation": "Outside Reviewers",
        "pathways": [world.in_scope.pk],
        **overrides,
    }
    return client.post(INVITE, data)


def link_in(message) -> str:
    return re.search(r"https://review\.example\.org(/reports/\S+/)", message.body).group(1)


def accept(client, link, **overrides):
    data = {"username": "ines", "name": "Ines Outside", "password1": PASSWORD, "password2": PASSWORD, **overrides}
    return client.post(link, data)


@pytest.fixture
def sent(client, world, author, django_capture_on_commit_callbacks):
    """An invitation sent by the author; the client is signed out, as the invitee's would be."""
    client.force_login(author)
    with override_settings(SITE_URL="https://review.example.org"), django_capture_on_commit_callbacks(execute=True):
        assert invite(client, world).status_code == 302
    client.logout()
    return link_in(mail.outbox[-1])


def test_an_invitation_is_mailed_and_only_its_hash_is_kept(sent, world, author):
    invitation = Invitation.objects.get()
    token = sent.rstrip("/").rsplit("/", 1)[-1]
    assert mail.outbox[-1].to == ["ines@reviewers.example"]
    assert "Outside Reviewers" in mail.outbox[-1].body and world.report.title in mail.outbox[-1].body
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert AuditEntry.objects.filter(action="pathways.access.invited", actor=author).exists()


def test_the_invitee_chooses_a_password_and_has_exactly_the_invited_access(client, sent, world):
    assert "Create my account" in client.get(sent).content.decode()

    response = accept(client, sent)

    assert response.status_code == 302 and response.url == reverse("report_detail", args=["pilot"])
    person = User.objects.get(username="ines")
    assert (person.clearance, person.email, person.get_full_name()) == (
        Clearance.EXTERNAL,
        "ines@reviewers.example",
        "Ines Outside",
    )
    reach = access_of(person).on(world.report)
    assert reach.visible and not reach.sees_whole_report and reach.level == Sensitivity.REVIEWER
    assert person.organisation.name == "Outside Reviewers"
    pathway = reverse("pathway_detail", args=["pilot", world.in_scope.slug])
    before = client.get(pathway)
    assert before.status_code == 302 and before.url.startswith(reverse("two_factor_setup")), "nothing before it"
    client.get(before.url)
    code = authenticator_code(TOTPDevice.objects.get(user=person))
    assert client.post(before.url, {"code": code, "next": pathway}).status_code == 200
    assert client.get(pathway).status_code == 200
    assert client.get(reverse("pathway_detail", args=["pilot", world.out_of_scope.slug])).status_code == 404
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == person
    assert AuditEntry.objects.filter(action="pathways.access.invitation_accepted", actor=person).exists()


def test_a_used_link_does_not_work_again(client, sent):
    accept(client, sent)
    client.logout()

    again = accept(client, sent, username="second-ines")

    assert again.status_code == 404 and "This invitation does not work" in again.content.decode()
    assert not User.objects.filter(username="second-ines").exists()


def test_an_expired_link_is_refused(client, sent):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    assert client.get(sent).status_code == 404
    assert accept(client, sent).status_code == 404
    assert not User.objects.filter(username="ines").exists()


def test_a_withdrawn_link_is_refused(client, sent, author):
    client.force_login(author)
    invitation = Invitation.objects.get()
    assert client.post(reverse("invitation_withdraw", args=["pilot", invitation.pk])).status_code == 302
    client.logout()

    assert accept(client, sent).status_code == 404
    assert not User.objects.filter(username="ines").exists()


def test_a_forged_link_and_a_link_shown_with_another_report_are_refused(client, sent):
    other = ReportFactory(slug="other-report")
    token = sent.rstrip("/").rsplit("/", 1)[-1]

    forged = reverse("invitation_accept", args=["pilot", token[:-2] + "xx"])
    elsewhere = reverse("invitation_accept", args=[other.slug, token])
    for link in (forged, elsewhere):
        assert client.get(link).status_code == 404
        assert accept(client, link).status_code == 404
    assert not User.objects.filter(username="ines").exists()
    assert client.get(sent).status_code == 200, "the real link still works"


def test_a_new_invitation_to_the_same_address_replaces_the_earlier_link(client, world, author, sent):
    client.force_login(author)
    with override_settings(SITE_URL="https://review.example.org"):
        assert invite(client, world).status_code == 302
    client.logout()

    assert client.get(sent).status_code == 404
    assert Invitation.objects.filter(withdrawn_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"password2": "something-else-entirely"}, "The two passwords differ."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"username": "has spaces"}, "Enter a valid username."),
        ({"username": "TAKEN"}, "That username is taken"),
    ],
)
def test_bad_account_details_say_why_and_change_nothing(client, sent, overrides, message):
    UserFactory(username="taken")

    response = accept(client, sent, **overrides)

    assert response.status_code == 400 and message in response.content.decode()
    assert not User.objects.filter(email="ines@reviewers.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_someone_signed_in_is_told_to_log_out_and_no_account_is_made(client, sent, stress_tester):
    client.force_login(stress_tester)

    page = client.get(sent).content.decode()
    accept(client, sent)

    assert "log out first" in page
    assert not User.objects.filter(username="ines").exists()
    assert Invitation.objects.get().accepted_at is None


def test_only_staff_invite_internal_people(client, world, author):
    client.force_login(author)

    refused = invite(client, world, clearance="internal", role="stress_tester", organisation="Red Team", pathways=[])

    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert not Invitation.objects.exists()
    with pytest.raises(ValueError, match="only staff give internal clearance"):
        invitation_create(
            report=world.report,
            inviter=author,
            email="x@example.org",
            name="",
            clearance=Clearance.INTERNAL,
            role=Role.STRESS_TESTER,
            org_name="Red Team",
        )


def test_staff_invite_an_internal_stress_tester(client, world, author, django_capture_on_commit_callbacks):
    author.is_staff = True
    author.save(update_fields=["is_staff"])
    client.force_login(author)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(
            client, world, clearance="internal", role="stress_tester", organisation="Internal Red Team", pathways=[]
        )
    assert response.status_code == 302
    client.logout()
    link = re.search(r"(/reports/\S+/)", mail.outbox[-1].body).group(1)
    accept(client, link)

    person = User.objects.get(username="ines")
    assert person.clearance == Clearance.INTERNAL
    assert Role.STRESS_TESTER in access_of(person).on(world.report).roles


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"role": "author", "organisation": "", "pathways": []}, "Select a valid choice"),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"role": "external_reviewer", "organisation": ""}, "reviews for an organisation"),
    ],
)
def test_a_bad_invitation_says_why_and_sends_nothing(client, world, author, overrides, message):
    client.force_login(author)

    response = invite(client, world, **overrides)

    assert response.status_code == 400 and message in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_the_service_refuses_a_role_that_does_not_fit_the_clearance(world, author):
    author.is_staff = True
    with pytest.raises(ValueError, match="the author role is for internal people, not external ones"):
        invitation_create(
            report=world.report,
            inviter=author,
            email="x@example.org",
            name="",
            clearance=Clearance.EXTERNAL,
            role=Role.AUTHOR,
        )
    assert not Invitation.objects.exists()


def test_an_address_with_an_account_is_given_access_instead(client, world, author):
    UserFactory(email="ines@reviewers.example", clearance=Clearance.EXTERNAL)
    client.force_login(author)

    response = invite(client, world)

    assert response.status_code == 400 and "has an account already" in response.content.decode()
    assert not Invitation.objects.exists()


def test_pending_invitations_are_listed_for_the_managers(client, sent, author):
    client.force_login(author)

    assert "ines@reviewers.example" in client.get(reverse("people", args=["pilot"])).content.decode()


def test_an_invitation_falls_when_its_inviter_no_longer_manages_the_report(client, sent, world, author):
    from pathways.people import access_revoke

    access_revoke(report=world.report, user=author)

    assert accept(client, sent).status_code == 404
    assert not User.objects.filter(username="ines").exists()


def test_an_invitation_limited_to_pathways_that_are_gone_never_widens_to_the_report(client, sent, world):
    world.in_scope.delete()

    assert accept(client, sent).status_code == 404
    assert not User.objects.filter(username="ines").exists()


def test_an_invitation_into_an_existing_organisation_is_for_staff(client, world, author, external_reviewer):
    client.force_login(author)

    response = invite(client, world, organisation=external_reviewer.organisation.name)

    assert response.status_code == 400 and "only staff add people to an organisation" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_invitation_whose_organisation_was_made_since_is_refused_whole(client, sent):
    from pathways.enums import OrganisationKind
    from pathways.models import ReviewerOrganisation

    ReviewerOrganisation.objects.create(name="Outside Reviewers", kind=OrganisationKind.EXTERNAL)

    assert accept(client, sent).status_code == 404
    assert not User.objects.filter(username="ines").exists()
