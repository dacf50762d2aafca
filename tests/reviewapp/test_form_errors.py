"""A field refused by a form is marked for assistive technology by Django's own rendering:
`aria-invalid`, and `aria-describedby` naming its error (and help) by the ids Django gives
them; a group of radios or checkboxes carries the description on its fieldset. Every id a
description names is on the page."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways.models import Conclusion
from reviewapp.enums import NotificationKind


class Marks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.invalid: list[dict] = []
        self.described: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if attributes.get("aria-invalid") == "true":
            self.invalid.append({"tag": tag, **attributes})
        if attributes.get("aria-describedby"):
            self.described.append((tag, attributes["aria-describedby"]))


def marks_of(response) -> Marks:
    assert response.status_code == 200
    marks = Marks()
    marks.feed(response.content.decode())
    return marks


def assert_descriptions_resolve(marks: Marks) -> None:
    for tag, described_by in marks.described:
        for target in described_by.split():
            assert target in marks.ids, f"<{tag} aria-describedby={described_by!r}>: no element has id {target!r}"


def test_a_refused_text_field_points_at_its_error(client, world, external_reviewer):
    client.force_login(external_reviewer)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = {
        "request-title": "Are transfers detected at night?",
        "request-question": "We would like the drill logs.",
        "request-team": "security",
        "request-due_date": yesterday,
        "request-priority": "high",
    }
    marks = marks_of(client.post(reverse("request_file", args=["pilot", "claims", "egress-monitoring"]), data))
    due = [field for field in marks.invalid if field.get("name") == "request-due_date"]
    assert len(due) == 1 and "id_request-due_date_error" in due[0]["aria-describedby"].split()
    assert_descriptions_resolve(marks)


def test_a_refused_choice_of_radios_is_described_on_its_fieldset(client, world, external_reviewer):
    client.force_login(external_reviewer)
    marks = marks_of(
        client.post(reverse("export_start", args=["pilot"]), {"kind": "report", "fmt": "md", "level": "internal"})
    )
    assert {field["name"] for field in marks.invalid} == {"level"}
    fieldsets = [described for tag, described in marks.described if tag == "fieldset"]
    assert any("id_level_error" in described.split() for described in fieldsets)
    assert_descriptions_resolve(marks)


def test_a_refused_verdict_marks_its_rationale(client, world, stress_tester):
    conclusion = Conclusion.objects.get(pathway=world.in_scope)
    client.force_login(stress_tester)
    data = {"position": "dissent", "rationale": " ", "revision": conclusion.revision}
    marks = marks_of(client.post(reverse("verdict_record", args=["pilot", conclusion.pk]), data))
    rationale = [field for field in marks.invalid if field.get("name") == "rationale"]
    assert len(rationale) == 1
    assert re.search(r"^id_\w*rationale_error$", rationale[0]["aria-describedby"].split()[-1])
    assert_descriptions_resolve(marks)


@pytest.mark.parametrize("reader", ["team_member", "external_reviewer"])
def test_a_refused_setting_is_marked_and_nothing_else_is(client, world, request, reader):
    client.force_login(request.getfixturevalue(reader))
    data = {f"delivery-{kind}": "immediately" for kind in NotificationKind.values}
    data["delivery-mention"] = "carrier-pigeon"
    marks = marks_of(client.post(reverse("notification_settings"), data))
    assert [field["name"] for field in marks.invalid] == ["delivery-mention"]
    assert "id_delivery-mention_error" in marks.invalid[0]["aria-describedby"].split()
    assert_descriptions_resolve(marks)


def test_a_page_without_errors_marks_nothing(client, world, author):
    client.force_login(author)
    marks = marks_of(client.get(reverse("claim_edit", args=["pilot", world.public_claim.slug])))
    assert marks.invalid == []
    assert_descriptions_resolve(marks)
