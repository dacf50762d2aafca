"""Permission-matrix rows of the People page and of the password reset pages.

The report's authors and leadership manage who has access; the other internal people who
see the report get 403; external reviewers and outsiders 404, as if there were no such page.
A person id that is not granted on the report (forged) is 404 even for those who manage it.
The invitee's page and the password reset pages answer everyone alike; a forged invitation
link is 404 for everyone.
"""

from pathways.enums import Clearance, Role
from pathways.invitations import invitation_create
from pathways.people import access_grant
from tests.factories import UserFactory
from tests.reviewapp.matrix import HIDDEN_FROM_EXTERNAL, SIGNED_IN, Row

MANAGERS_ONLY = {**HIDDEN_FROM_EXTERNAL, "stress_tester": 403, "team_member": 403}
MANAGERS_CHANGE = {**MANAGERS_ONLY, "author": 302, "leadership": 302}
FORGED = {**MANAGERS_ONLY, "author": 404, "leadership": 404}
EVERYONE = {**dict.fromkeys(SIGNED_IN, 200), "anonymous": 200}


def _newcomer(world, persona):
    return UserFactory(username="newcomer", clearance=Clearance.EXTERNAL)


def _granted_external(world, persona):
    person = UserFactory(username="granted-external", clearance=Clearance.EXTERNAL)
    access_grant(
        report=world.report,
        user=person,
        role=Role.EXTERNAL_REVIEWER,
        org_name="Matrix Reviewers",
        pathway_slugs=[world.in_scope.slug],
    )
    return person


def _invitation(world, persona):
    invitation, token = invitation_create(
        report=world.report,
        inviter=persona("author"),
        email="invitee@reviewers.example",
        name="",
        clearance=Clearance.EXTERNAL,
        role=Role.EXTERNAL_REVIEWER,
        org_name="Matrix Reviewers",
    )
    invitation.token = token
    return invitation


def _person_kwargs(world, person):
    return {"slug": "pilot", "pk": person.pk}


ROWS = [
    Row("people", MANAGERS_ONLY, kwargs={"slug": "pilot"}),
    Row(
        "people_grant",
        MANAGERS_CHANGE,
        kwargs={"slug": "pilot"},
        method="post",
        data={"person": "newcomer", "role": "external_reviewer", "organisation": "Matrix Reviewers"},
        setup=_newcomer,
    ),
    Row(
        "people_scope",
        MANAGERS_CHANGE,
        kwargs=_person_kwargs,
        method="post",
        data=lambda world, person: {"pathways": [world.in_scope.pk, world.also_in_scope.pk]},
        setup=_granted_external,
    ),
    Row("people_scope", FORGED, kwargs={"slug": "pilot", "pk": 999999}, method="post", label="forged"),
    Row("people_revoke", MANAGERS_CHANGE, kwargs=_person_kwargs, method="post", setup=_granted_external),
    Row("people_revoke", FORGED, kwargs={"slug": "pilot", "pk": 999999}, method="post", label="forged"),
    Row(
        "people_invite",
        MANAGERS_CHANGE,
        kwargs={"slug": "pilot"},
        method="post",
        data={
            "email": "new@reviewers.example",
            "clearance": "external",
            "role": "external_reviewer",
            "organisation": "Matrix Reviewers",
        },
    ),
    Row(
        "invitation_withdraw",
        MANAGERS_CHANGE,
        kwargs=lambda world, invitation: {"slug": "pilot", "pk": invitation.pk},
        method="post",
        setup=_invitation,
    ),
    Row("invitation_withdraw", FORGED, kwargs={"slug": "pilot", "pk": 999999}, method="post", label="forged"),
    # The invitee's page needs no sign-in; a signed-in person is told to log out first.
    Row(
        "invitation_accept",
        EVERYONE,
        kwargs=lambda world, invitation: {"slug": "pilot", "token": invitation.token},
        setup=_invitation,
    ),
    Row(
        "invitation_accept",
        dict.fromkeys(EVERYONE, 404),
        kwargs={"slug": "pilot", "token": "forged-token"},
        label="forged",
    ),
    # Signed in (and proved, as force_login stands for), with no authenticator yet: set-up
    # opens; the check sends them to set it up.
    Row("two_factor_setup", {**dict.fromkeys(SIGNED_IN, 200), "anonymous": 302}),
    Row("two_factor_verify", {**dict.fromkeys(SIGNED_IN, 302), "anonymous": 302}),
    Row("password_reset", EVERYONE),
    Row("password_reset_done", EVERYONE),
    Row("password_reset_confirm", EVERYONE, kwargs={"uidb64": "MQ", "token": "forged-token"}),
    Row("password_reset_complete", EVERYONE),
]
