"""Least privilege: a person created without a stated clearance is external, however they are
created; people who existed before keep the clearance they had."""

from io import StringIO

from django.core.management import call_command

from pathways.access import access_of
from pathways.enums import Clearance, Role, Sensitivity
from pathways.models import User
from pathways.services import access_grant
from tests.factories import ReportFactory


def test_a_person_created_without_a_clearance_is_external(db):
    person = User.objects.create_user(username="newcomer", password="a-long-password-1")

    assert person.clearance == Clearance.EXTERNAL
    assert person.reading_level == Sensitivity.REVIEWER


def test_a_superuser_from_createsuperuser_is_external_until_staff_say_otherwise(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-1")
    call_command("createsuperuser", username="root", email="root@example.org", interactive=False, stdout=StringIO())
    person = User.objects.get(username="root")
    report = ReportFactory()

    assert person.clearance == Clearance.EXTERNAL
    access_grant(report=report, user=person, role=Role.EXTERNAL_REVIEWER, org_name="Outside Org")
    assert access_of(person).on(report).level == Sensitivity.REVIEWER


def test_the_migration_changes_no_one_s_clearance(db):
    out = StringIO()
    call_command("sqlmigrate", "pathways", "0009", stdout=out)

    assert "(no-op)" in out.getvalue()
    assert "UPDATE" not in out.getvalue().upper()
