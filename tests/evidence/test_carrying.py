"""The next model's report: `clone_report` and "start the next report" copy the content and
none of the review; every copied evidence item waits for its team to confirm or replace it,
once."""

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from evidence.enums import Carried
from evidence.models import Evidence, InformationRequest
from evidence.report_file import report_document
from evidence.services.carrying import evidence_carry_confirm, evidence_carry_replace, report_start_next
from pathways.access import access_of
from pathways.enums import ReportStatus
from pathways.models import AuditEntry, Report, ReportUserObjectPermission
from pathways.services import EditConflict, EditRefused
from reviewapp.models import Comment, SignOff, Verdict
from tests.factories import (
    CommentFactory,
    InformationRequestFactory,
    ReportVersionFactory,
    SignOffFactory,
    VerdictFactory,
    member_of,
)
from tests.reviewapp.matrix.verdicts import conclusion_of
from versions.models import ReportVersion


def clone(*args, **options) -> str:
    """Run the command as its command line reads: `clone("pilot", slug="pilot-2", model="M")`."""
    out = StringIO()
    argv = [word for name, value in options.items() for word in (f"--{name}", value)]
    call_command("clone_report", *args, *argv, stdout=out)
    return out.getvalue()


def content(report: Report) -> dict:
    """Everything the report file holds but the report's own identity."""
    document = report_document(report=report)
    section = {key: value for key, value in document["report"].items() if key in ("summary", "conclusion")}
    return {**document, "report": section}


@pytest.fixture
def reviewed(world, author, stress_tester, external_reviewer, leadership):
    """The pilot report with a review on it: a verdict, a comment, a request, a version, a sign-off."""
    VerdictFactory(conclusion=conclusion_of(world, "exfiltration"), recorder=stress_tester)
    CommentFactory(subject=world.public_claim, author=external_reviewer)
    InformationRequestFactory(report=world.report, requester=stress_tester, team=world.team, subject=world.public_claim)
    ReportVersionFactory(report=world.report, author=author, name="11 February")
    SignOffFactory(report=world.report, decider=leadership, override=True, override_reason="Pilot.")
    return world


def test_clone_report_copies_the_content_and_none_of_the_review(reviewed):
    world = reviewed
    before = {model: model.objects.count() for model in (Verdict, Comment, InformationRequest, SignOff, ReportVersion)}
    out = clone("pilot", slug="pilot-2", model="Model Two")
    created = Report.objects.get(slug="pilot-2")
    assert "Created draft report 'pilot-2'" in out and "grant_access --report pilot-2" in out
    assert (created.model_name, created.predecessor, created.status) == ("Model Two", world.report, ReportStatus.DRAFT)
    assert created.title == "Pilot report (Model Two)"
    assert (created.version, created.evidence_cutoff) == ("", None)
    assert content(created) == content(world.report)
    assert {item.owner_team for item in Evidence.objects.filter(report=created)} == {world.team, world.other_team}
    # Nothing of the review: grants, verdicts, comments, requests, versions, sign-offs.
    assert not ReportUserObjectPermission.objects.filter(content_object=created).exists()
    for model, count in before.items():
        assert model.objects.count() == count, model
    for model in (Verdict, Comment, SignOff):
        field = "conclusion__report" if model is Verdict else "report"
        assert not model.objects.filter(**{field: created}).exists()
    assert not InformationRequest.objects.filter(report=created).exists()
    assert not ReportVersion.objects.filter(report=created).exists()
    entry = AuditEntry.objects.get(action="evidence.report.started_from")
    assert (entry.report, entry.actor, entry.data["from"], entry.data["evidence"]) == (created, None, "pilot", 3)


def test_every_copied_evidence_item_is_carried_forward_from_its_original(world):
    clone("pilot", slug="pilot-2", model="Model Two", title="Model Two risk report")
    created = Report.objects.get(slug="pilot-2")
    assert created.title == "Model Two risk report"
    copies = Evidence.objects.filter(report=created).select_related("carried_from")
    assert len(copies) == 3
    for item in copies:
        assert item.carried == Carried.UNCONFIRMED
        assert (item.carried_from.report, item.carried_from.slug) == (world.report, item.slug)
    assert not Evidence.objects.filter(report=world.report).exclude(carried=Carried.NOT_CARRIED).exists()


@pytest.mark.parametrize(
    "args,options,message",
    [
        (["no-such-report"], {"slug": "new", "model": "M"}, "No report 'no-such-report'"),
        (["pilot"], {"slug": "pilot", "model": "M"}, "--slug: A report called “pilot” exists already"),
        (["pilot"], {"slug": "Not A Slug", "model": "M"}, "--slug: Use lower-case letters"),
        (["pilot"], {"slug": "pilot-2", "model": "  "}, "--model: Name the model"),
        (["pilot"], {"slug": "pilot-2", "model": "M", "title": "x" * 301}, "--title: Keep the title to 300"),
    ],
)
def test_clone_report_refuses_bad_input_and_creates_nothing(world, args, options, message):
    reports, evidence = Report.objects.count(), Evidence.objects.count()
    with pytest.raises(CommandError, match=message):
        clone(*args, **options)
    assert (Report.objects.count(), Evidence.objects.count()) == (reports, evidence)
    assert not AuditEntry.objects.filter(action="evidence.report.started_from").exists()


def test_the_author_who_starts_it_in_the_app_becomes_its_author(world, author, stress_tester):
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two", starter=author)
    assert access_of(author).on(created).may_edit
    assert not access_of(stress_tester).on(created).visible
    with pytest.raises(EditRefused, match="Only the report's authors start the next report"):
        report_start_next(report=world.report, slug="pilot-3", model_name="Model Three", starter=stress_tester)
    assert not Report.objects.filter(slug="pilot-3").exists()


# ------------------------------------------------------------------ confirm or replace


@pytest.fixture
def carried(world):
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two")
    return Evidence.objects.get(report=created, slug="egress-review")


def test_the_owning_team_confirms_an_item_once_with_a_note(world, carried, team_member):
    confirmed = evidence_carry_confirm(evidence=carried, person=team_member, note="Re-ran the egress drill.")
    assert (confirmed.carried, confirmed.carried_note, confirmed.carried_decided_by) == (
        Carried.CONFIRMED,
        "Re-ran the egress drill.",
        team_member,
    )
    entry = AuditEntry.objects.get(action="evidence.evidence.confirmed")
    assert (entry.target_id, entry.actor) == (carried.pk, team_member)
    with pytest.raises(EditRefused, match="already confirmed for this model"):
        evidence_carry_confirm(evidence=carried, person=team_member, note="Again.")
    with pytest.raises(EditRefused, match="already confirmed"):
        evidence_carry_replace(
            evidence=carried, person=team_member, version=confirmed.version, title="T", summary="S", source=""
        )
    assert AuditEntry.objects.filter(action__startswith="evidence.evidence.").count() == 1


def test_confirming_needs_a_note_and_the_owning_team_or_an_author(world, carried, team_member, stress_tester):
    with pytest.raises(EditRefused, match="Say why it still holds"):
        evidence_carry_confirm(evidence=carried, person=team_member, note="  ")
    with pytest.raises(EditRefused, match="Only Security or the report's authors"):
        evidence_carry_confirm(evidence=carried, person=stress_tester, note="Looks fine.")
    other = member_of(world.other_team)
    with pytest.raises(EditRefused, match="Only Security"):
        evidence_carry_confirm(evidence=carried, person=other, note="Looks fine.")
    carried.refresh_from_db()
    assert carried.carried == Carried.UNCONFIRMED and not AuditEntry.objects.filter(
        action__startswith="evidence.evidence."
    )


def test_an_item_written_for_the_report_has_nothing_to_confirm(world, team_member):
    with pytest.raises(EditRefused, match="written for this report"):
        evidence_carry_confirm(evidence=world.public_evidence, person=team_member, note="Yes.")


def test_replacing_gives_the_items_new_state_and_keeps_its_links(world, carried, team_member):
    replaced = evidence_carry_replace(
        evidence=carried,
        person=team_member,
        version=carried.version,
        title="Egress review, Model Two",
        summary="The drill was re-run on Model Two: every transfer over 1 GB alerted.",
        source="SEC-2027-01",
        note="New drill.",
    )
    assert (replaced.carried, replaced.version, replaced.source) == (Carried.REPLACED, 2, "SEC-2027-01")
    assert replaced.claim_links.filter(claim__slug="egress-monitoring").exists()
    entry = AuditEntry.objects.get(action="evidence.evidence.replaced")
    assert entry.data["changes"]["title"] == {"before": "Egress review", "after": "Egress review, Model Two"}
    original = Evidence.objects.get(report=world.report, slug="egress-review")
    assert original.title == "Egress review" and original.version == 1


def test_a_replacement_refuses_bad_input_a_stale_version_and_no_change(carried, team_member):
    fields = {"title": carried.title, "summary": "New.", "source": ""}
    with pytest.raises(EditRefused, match="needs a title"):
        evidence_carry_replace(evidence=carried, person=team_member, version=1, **{**fields, "title": ""})
    with pytest.raises(EditRefused, match="Redaction spans are only allowed"):
        evidence_carry_replace(
            evidence=carried, person=team_member, version=1, **{**fields, "source": "[[internal]]x[[/internal]]"}
        )
    with pytest.raises(EditRefused, match="Redaction spans are only allowed"):
        evidence_carry_replace(
            evidence=carried, person=team_member, version=1, **fields, note="[[internal]]secret[[/internal]]"
        )
    with pytest.raises(EditConflict):
        evidence_carry_replace(evidence=carried, person=team_member, version=7, **fields)
    with pytest.raises(EditRefused, match="confirm it instead"):
        evidence_carry_replace(
            evidence=carried,
            person=team_member,
            version=1,
            title=carried.title,
            summary=carried.summary,
            source=carried.source,
        )
    carried.refresh_from_db()
    assert (carried.carried, carried.version) == (Carried.UNCONFIRMED, 1)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_decide_the_item_once(world):
    created = report_start_next(report=world.report, slug="pilot-2", model_name="Model Two")
    item = Evidence.objects.get(report=created, slug="egress-review")
    people = [member_of(world.team), member_of(world.team)]
    barrier, outcomes = threading.Barrier(2), []

    def confirm(person):
        try:
            barrier.wait()
            evidence_carry_confirm(evidence=item, person=person, note=f"Checked by {person.username}.")
            outcomes.append("confirmed")
        except EditRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["confirmed", "refused"]
    assert AuditEntry.objects.filter(action="evidence.evidence.confirmed").count() == 1
