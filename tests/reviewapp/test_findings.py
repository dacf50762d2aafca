"""Findings: raised by reviewers on a claim, a claim's use in a pathway or a line of
defence; answered by the authors; holding up a sign-off while a major or critical one has
no disposition; read by each person only where they may see what it is about."""

import pytest
from django.urls import reverse

from evidence.report_file import ReportFileInvalid, report_document, report_import
from pathways.models import AuditEntry
from reviewapp.enums import Disposition, Severity
from reviewapp.models import Finding, SignOff
from reviewapp.review_record import review_record_export
from reviewapp.selectors.findings import finding_counts
from reviewapp.selectors.signoff import signoff_state
from reviewapp.services.findings import FindingConflict, FindingRefused, finding_dispose, finding_raise
from reviewapp.services.signoff import SignOffError, signoff_record
from tests.evidence.importing import table_rows
from tests.factories import FindingFactory, published
from tests.helpers import body

CANARY_INTERNAL_FINDING = "CANARY-INTERNAL-FINDING-3c88"


def raise_on(subject, raiser, **fields):
    values = {"kind": "claim_false", "severity": "major", "text": "It may not hold.", **fields}
    return finding_raise(raiser=raiser, subject=subject, **values)


def test_a_stress_tester_raises_an_internal_finding_on_a_claim_s_use_in_a_pathway(world, stress_tester):
    finding = raise_on(world.public_claim, stress_tester, pathway=world.also_in_scope, visibility="internal")

    assert (finding.claim, finding.pathway, finding.visibility) == (world.public_claim, world.also_in_scope, "internal")
    assert finding.organisation.name == "Stress-testing team"
    entry = AuditEntry.objects.get(action="reviewapp.finding.raised", target_id=finding.pk)
    assert entry.data["severity"] == "major" and entry.target_type == "finding"


def test_an_external_reviewer_s_finding_is_always_shared(world, external_reviewer):
    finding = raise_on(world.public_line, external_reviewer, visibility="internal")

    assert (finding.line, finding.visibility) == (world.public_line, "shared")


@pytest.mark.parametrize(
    "who, subject, pathway, message",
    [
        pytest.param("author", "public_claim", None, "Only reviewers raise findings", id="not-a-reviewer"),
        pytest.param("external_reviewer", "internal_claim", None, "You cannot see", id="claim-above-level"),
        pytest.param("external_reviewer", "out_of_scope_claim", None, "You cannot see", id="claim-out-of-scope"),
        pytest.param("external_reviewer", "internal_line", None, "You cannot see", id="line-above-level"),
        pytest.param("external_reviewer", "out_of_scope_line", None, "You cannot see", id="line-out-of-scope"),
        pytest.param(
            "stress_tester", "reviewer_claim", "also_in_scope", "not one the pathway rests on", id="wrong-way"
        ),
        pytest.param("external_reviewer", "public_claim", "out_of_scope", "You cannot see", id="pathway-out-of-scope"),
        pytest.param("stress_tester", "public_line", "in_scope", "about the line alone", id="line-and-pathway"),
    ],
)
def test_a_finding_one_may_not_raise_is_refused_and_nothing_is_written(world, request, who, subject, pathway, message):
    person = request.getfixturevalue(who)
    request.getfixturevalue("stress_tester")  # the organisation exists either way

    with pytest.raises(FindingRefused, match=message):
        raise_on(getattr(world, subject), person, pathway=getattr(world, pathway) if pathway else None)
    assert not Finding.objects.exists() and not AuditEntry.objects.filter(action__startswith="reviewapp.finding")


@pytest.mark.parametrize(
    "fields, message",
    [
        pytest.param({"kind": "vibes"}, "Choose what the finding says", id="bad-kind"),
        pytest.param({"severity": "huge"}, "Choose minor, major or critical", id="bad-severity"),
        pytest.param({"text": "  "}, "Write the finding", id="blank"),
        pytest.param({"text": "x" * 10_001}, "the limit is 10,000", id="too-long"),
        pytest.param({"visibility": "secret"}, "Choose shared or internal", id="bad-visibility"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, stress_tester, fields, message):
    with pytest.raises(FindingRefused, match=message):
        raise_on(world.public_claim, stress_tester, **fields)
    assert not Finding.objects.exists()


def test_the_authors_answer_a_finding_and_may_change_the_answer(world, author, stress_tester):
    finding = raise_on(world.public_claim, stress_tester)

    answered = finding_dispose(author=author, finding=finding, disposition="mitigation_planned", text="", version=1)
    changed = finding_dispose(author=author, finding=answered, disposition="refuted", text="Two drills.", version=2)

    assert (changed.disposition, changed.disposition_text, changed.disposed_by, changed.version) == (
        "refuted", "Two drills.", author, 3,
    )  # fmt: skip
    entries = AuditEntry.objects.filter(action="reviewapp.finding.disposed", target_id=finding.pk)
    assert [entry.data["previous"] for entry in entries.order_by("created_at", "id")] == ["", "mitigation_planned"]


@pytest.mark.parametrize(
    "who, disposition, text, version, error, message",
    [
        pytest.param("stress_tester", "refuted", "No.", 1, FindingRefused, "Only the report's authors", id="reviewer"),
        pytest.param("author", "refuted", "", 1, FindingRefused, "Write the reason", id="refuted-without-reason"),
        pytest.param("author", "ignored", "", 1, FindingRefused, "Choose refuted", id="bad-disposition"),
        pytest.param("author", "residual_risk", "", 0, FindingConflict, "Someone answered", id="stale"),
    ],
)
def test_an_answer_that_may_not_be_saved_changes_nothing(
    world, request, author, stress_tester, who, disposition, text, version, error, message
):
    finding = raise_on(world.public_claim, stress_tester)

    with pytest.raises(error, match=message):
        finding_dispose(
            author=request.getfixturevalue(who), finding=finding, disposition=disposition, text=text, version=version
        )
    finding.refresh_from_db()
    assert (finding.disposition, finding.version) == ("", 1)


def test_a_major_or_critical_finding_without_a_disposition_holds_up_the_sign_off(
    world, author, stress_tester, leadership
):
    published(world.report)
    raise_on(world.public_claim, stress_tester, severity=Severity.MINOR)
    major = raise_on(world.public_claim, stress_tester, severity=Severity.CRITICAL)

    reasons = signoff_state(user=leadership, report=world.report).blocking_reasons
    assert "1 major or critical finding has no disposition from the authors yet." in reasons
    with pytest.raises(SignOffError) as refused:
        signoff_record(report=world.report, decider=leadership, decision="approve")
    assert "1 major or critical finding has no disposition from the authors yet." in refused.value.reasons
    with pytest.raises(SignOffError):
        signoff_record(report=world.report, decider=leadership, decision="approve", override=True, override_reason=" ")
    assert not SignOff.objects.exists()

    finding_dispose(author=author, finding=major, disposition=Disposition.RESIDUAL_RISK, text="", version=1)
    assert not any(
        "finding" in reason for reason in signoff_state(user=leadership, report=world.report).blocking_reasons
    )


def test_an_override_with_a_reason_signs_off_over_an_unanswered_finding(world, stress_tester, leadership):
    published(world.report)
    FindingFactory(subject=world.public_claim, raiser=stress_tester, severity=Severity.MAJOR)

    signoff = signoff_record(
        report=world.report, decider=leadership, decision="approve", override=True, override_reason="Board asked."
    )

    assert signoff.override_reason == "Board asked."
    assert (
        "1 major or critical finding has no disposition from the authors yet." in signoff.snapshot["blocking_reasons"]
    )


@pytest.fixture
def hidden(world, stress_tester):
    """Findings an external reviewer must never see: internal, on an internal claim, on the
    pathway out of their scope, on an internal line of defence."""
    return [
        raise_on(world.public_claim, stress_tester, visibility="internal", text=f"Internal {CANARY_INTERNAL_FINDING}"),
        raise_on(world.internal_claim, stress_tester, text=f"On internal {CANARY_INTERNAL_FINDING}"),
        raise_on(world.out_of_scope_claim, stress_tester, text=f"Out of scope {CANARY_INTERNAL_FINDING}"),
        raise_on(world.internal_line, stress_tester, text=f"Line {CANARY_INTERNAL_FINDING}"),
    ]


def test_an_external_reviewer_never_sees_findings_outside_their_scope(client, world, external_reviewer, hidden):
    shared = raise_on(world.public_claim, external_reviewer, text="Shared finding.")
    client.force_login(external_reviewer)

    listing = body(client, reverse("finding_list", args=[world.report.slug]))

    assert "Shared finding" not in listing  # the list shows kinds; the text is on the finding's page
    assert reverse("finding_detail", args=[world.report.slug, shared.pk]) in listing
    assert "1 finding you can see; 1 awaits a disposition" in listing
    for finding in hidden:
        assert reverse("finding_detail", args=[world.report.slug, finding.pk]) not in listing
        assert client.get(reverse("finding_detail", args=[world.report.slug, finding.pk])).status_code == 404
    assert finding_counts(external_reviewer, world.report) == {"total": 1, "awaiting": 1, "blocking": 1}
    record = review_record_export(report=world.report, reader=external_reviewer, level="reviewer", fmt="md").content
    assert CANARY_INTERNAL_FINDING not in record and "Shared finding." in record


def test_the_author_reads_every_finding_and_the_record_counts_those_above_its_level(world, author, hidden):
    assert finding_counts(author, world.report) == {"total": 4, "awaiting": 4, "blocking": 4}

    document = review_record_export(report=world.report, reader=author, level="reviewer", fmt="md")

    # At reviewer level those on the internal claim and line are left out, and the internal one; each counted.
    assert (document.summary["findings_above_level"], document.summary["internal_findings_left_out"]) == (2, 1)
    assert (
        "2 findings about material above level reviewer left out; 1 internal finding left out"
        in (document.summary["text"])
    )
    assert document.content.count("### Finding ") == 1
    assert (
        review_record_export(report=world.report, reader=author, level="internal", fmt="md").content.count(
            "### Finding "
        )
        == 4
    )


def test_an_import_may_not_remove_what_a_finding_is_about_and_changes_nothing(world, author, stress_tester, tmp_path):
    raise_on(world.public_line, stress_tester)
    raise_on(world.reviewer_claim, stress_tester)
    document = report_document(report=world.report)
    document["lines_of_defence"] = [line for line in document["lines_of_defence"] if line["slug"] != "egress-alerting"]
    before = table_rows(), Finding.objects.count()

    with pytest.raises(ReportFileInvalid) as refused:
        report_import(document=document, update=True)

    assert [str(error) for error in refused.value.errors] == [
        "lines_of_defence: 'egress-alerting' cannot be removed: reviewers' findings are about it; keep it in the file"
    ]
    assert (table_rows(), Finding.objects.count()) == before
    document = report_document(report=world.report)
    document["claims"] = [claim for claim in document["claims"] if claim["slug"] != "file-permissions"]
    document["pathways"][0]["claims"].remove("file-permissions")
    with pytest.raises(ReportFileInvalid, match="'file-permissions' cannot be removed"):
        report_import(document=document, update=True)


def test_a_report_goes_with_its_findings(world, stress_tester):
    raise_on(world.public_line, stress_tester)
    raise_on(world.public_claim, stress_tester, pathway=world.in_scope)

    world.report.delete()

    assert not Finding.objects.exists()
