"""The notification settings: one choice of delivery per kind of notification, only the
kinds that can reach the person offered, and a forged or bad choice refused whole.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from reviewapp.enums import INTERNAL_ONLY_KINDS, Delivery, NotificationKind
from reviewapp.forms.notifications import DELIVERY_CHOICES, KIND_GROUPS
from reviewapp.models import NotificationPreference
from reviewapp.services.notifications import delivery_preferences
from tests.factories import UserFactory

SETTINGS = reverse("notification_settings")


def _html(response) -> str:
    return response.content.decode()


def _choices(**overrides) -> dict:
    return {f"delivery-{kind}": overrides.get(kind, Delivery.IMMEDIATELY) for kind in NotificationKind.values}


def test_every_kind_and_every_delivery_has_a_place_on_the_settings_page():
    assert sorted(kind for _, kinds in KIND_GROUPS for kind in kinds) == sorted(NotificationKind)
    assert sorted(value for value, _ in DELIVERY_CHOICES) == sorted(Delivery.values)


def test_the_settings_page_lists_each_kind_with_its_choice_and_the_email_address(client, world, team_member):
    client.force_login(team_member)

    html = _html(client.get(SETTINGS))

    for kind in NotificationKind:
        assert f'<label for="id_delivery-{kind.value}">{escape(kind.label)}</label>' in html
    assert html.count("<select") == len(NotificationKind)
    assert f"Emails go to <strong>{team_member.email}</strong>" in html
    # The default for verdicts is the digest, and the form starts there.
    start = html.index('name="delivery-verdict_recorded"')
    assert '<option value="digest" selected>' in html[start : html.index("</select>", start)]


def test_the_settings_page_says_when_there_is_no_email_address(client, world):
    person = UserFactory(username="noemail", email="")
    client.force_login(person)

    html = _html(client.get(SETTINGS))

    assert "Your account has no email address, so only the notices in the app reach you" in html


def test_saving_the_settings_stores_each_choice_with_a_message(client, world, team_member):
    client.force_login(team_member)

    response = client.post(SETTINGS, _choices(request_filed=Delivery.DIGEST, mention=Delivery.OFF), follow=True)

    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your notification choices are saved." in _html(response)
    chosen = delivery_preferences(team_member)
    assert chosen[NotificationKind.REQUEST_FILED] == Delivery.DIGEST
    assert chosen[NotificationKind.MENTION] == Delivery.OFF
    assert chosen[NotificationKind.VERDICT_RECORDED] == Delivery.IMMEDIATELY
    assert '<option value="off" selected>' in _html(response)


@pytest.mark.parametrize(
    "forged,expected",
    [
        ({"delivery-mention": "carrier-pigeon"}, "That is not one of the choices"),
        ({"delivery-mention": ""}, "Choose how you hear of this."),
        (
            {"delivery-telepathy": "off"},
            "Nothing was saved: “telepathy” is not a kind of notification you can receive.",
        ),
    ],
    ids=["unknown-delivery", "missing-delivery", "unknown-kind"],
)
def test_bad_settings_are_refused_with_a_clear_error_and_change_nothing(client, world, team_member, forged, expected):
    client.force_login(team_member)
    client.post(SETTINGS, _choices(request_filed=Delivery.DIGEST))
    before = list(NotificationPreference.objects.filter(user=team_member).values_list("kind", "delivery"))

    response = client.post(SETTINGS, {**_choices(request_filed=Delivery.OFF), **forged})

    assert response.status_code == 200
    html = _html(response)
    assert expected in html
    assert "Nothing was saved" in html
    assert list(NotificationPreference.objects.filter(user=team_member).values_list("kind", "delivery")) == before
    # What was chosen is kept in the form.
    start = html.index('name="delivery-request_filed"')
    assert '<option value="off" selected>' in html[start : html.index("</select>", start)]


def test_an_external_reviewer_is_offered_only_the_kinds_that_can_reach_them(client, world, external_reviewer):
    client.force_login(external_reviewer)
    html = _html(client.get(SETTINGS))
    offered = {kind for kind in NotificationKind if f'name="delivery-{kind.value}"' in html}
    assert offered == set(NotificationKind) - INTERNAL_ONLY_KINDS
    assert "A request filed to your team" not in html and "A verdict recorded on a report you author" not in html
    assert html.count("<select") == len(NotificationKind) - len(INTERNAL_ONLY_KINDS)
    chosen = {kind.value: Delivery.OFF for kind in offered}
    response = client.post(SETTINGS, {f"delivery-{kind}": delivery for kind, delivery in chosen.items()}, follow=True)
    assert "Your notification choices are saved." in _html(response)
    assert delivery_preferences(external_reviewer)[NotificationKind.MENTION] == Delivery.OFF


def test_an_external_reviewer_cannot_set_a_kind_that_cannot_reach_them(client, world, external_reviewer):
    client.force_login(external_reviewer)
    offered = [kind for kind in NotificationKind if kind not in INTERNAL_ONLY_KINDS]
    data = {f"delivery-{kind.value}": Delivery.DIGEST for kind in offered}
    response = client.post(SETTINGS, {**data, "delivery-request_filed": Delivery.OFF})
    assert "“request_filed” is not a kind of notification you can receive" in _html(response)
    assert not NotificationPreference.objects.filter(user=external_reviewer).exists()


def test_an_unknown_delivery_marks_its_field(client, world, team_member):
    client.force_login(team_member)

    html = _html(client.post(SETTINGS, _choices(mention="carrier-pigeon")))

    assert 'aria-invalid="true"' in html
    assert 'id="id_delivery-mention_error"' in html
