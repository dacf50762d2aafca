"""Lines of defence in the report file: imported in the file's order, updated in place,
written out as each reader reads them, and every kind of bad entry refused by its path with
nothing written. (The small file and the demo file round trip with their lines in
test_export_report.)"""

import pytest
import yaml

from evidence.models import LineOfDefence
from evidence.report_file import report_document, report_export, report_export_document, validate_report_document
from pathways.models import Report
from pathways.services import claim_update
from tests.conftest import CANARY_INTERNAL_LINE, CANARY_INTERNAL_SPAN, CANARY_OUT_OF_SCOPE
from tests.evidence.importing import (
    SMALL,
    assert_refused_by_path,
    delete_at,
    exported_section,
    import_refused,
    import_report,
    set_at,
    small_document,
    table_rows,
    write,
)

LINE = "lines_of_defence.0"


def _lines(report: Report) -> dict[str, LineOfDefence]:
    return {line.slug: line for line in report.lines_of_defence.select_related("pathway", "owner_team")}


def test_the_import_writes_each_line_with_what_it_rests_on_in_order(db):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")

    lines = _lines(report)

    assert list(report.lines_of_defence.order_by("position").values_list("slug", flat=True)) == [
        "egress-alerting", "weights-access-control", "change-review",
    ]  # fmt: skip
    egress = lines["egress-alerting"]
    assert (egress.pathway.slug, egress.kind, egress.stage, egress.owner_team.slug) == (
        "exfiltration", "automated_monitoring", "after_deployment", "monitoring",
    )  # fmt: skip
    assert (egress.strength, egress.sensitivity) == ("strong", "public")
    assert [link.claim.slug for link in egress.claim_links.all()] == ["egress-monitoring"]
    assert [link.evidence.slug for link in egress.evidence_links.all()] == ["egress-alerts-2025q3", "classifier-notes"]
    assert lines["weights-access-control"].strength == "not_assessed"  # left out of the file
    assert [link.claim.slug for link in lines["weights-access-control"].claim_links.all()] == [
        "weights-access", "no-dangerous-goals",
    ]  # fmt: skip


def test_an_update_changes_lines_in_place_raises_their_version_and_deletes_those_gone(db, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    before = _lines(report)
    document = small_document()
    document["lines_of_defence"][0]["strength"] = "weak"
    document["lines_of_defence"][1]["claims"] = ["no-dangerous-goals", "weights-access"]  # the same two, reordered
    del document["lines_of_defence"][2]

    import_report(write(tmp_path, document), "--update")

    after = _lines(report)
    assert set(after) == {"egress-alerting", "weights-access-control"}
    assert after["egress-alerting"].pk == before["egress-alerting"].pk
    assert (after["egress-alerting"].strength, after["egress-alerting"].version) == ("weak", 2)
    assert after["weights-access-control"].version == 2
    assert [link.claim.slug for link in after["weights-access-control"].claim_links.all()] == [
        "no-dangerous-goals", "weights-access",
    ]  # fmt: skip


def test_an_update_with_the_same_lines_changes_nothing(db):
    import_report(SMALL)
    before = table_rows()

    import_report(SMALL, "--update")

    assert table_rows() == before


BAD_LINES = [
    pytest.param(set_at(f"{LINE}.colour", "red"), "lines_of_defence[0].colour: unknown key", id="unknown-key"),
    pytest.param(
        delete_at(f"{LINE}.title"), "lines_of_defence[0].title: missing: this key is required", id="missing-title"
    ),
    pytest.param(delete_at(f"{LINE}.stage"), "lines_of_defence[0].stage: missing", id="missing-stage"),
    pytest.param(set_at(f"{LINE}.kind", "prayer"), "lines_of_defence[0].kind: 'prayer' is not one of", id="bad-kind"),
    pytest.param(
        set_at(f"{LINE}.stage", "during"), "lines_of_defence[0].stage: 'during' is not one of", id="bad-stage"
    ),
    pytest.param(
        set_at(f"{LINE}.strength", "mighty"), "lines_of_defence[0].strength: 'mighty' is not one of", id="bad-strength"
    ),
    pytest.param(
        set_at(f"{LINE}.sensitivity", "secret"),
        "lines_of_defence[0].sensitivity: 'secret' is not one of",
        id="bad-sensitivity",
    ),
    pytest.param(
        set_at(f"{LINE}.pathway", "nowhere"), "lines_of_defence[0].pathway: unknown pathway 'nowhere'", id="no-pathway"
    ),
    pytest.param(
        set_at(f"{LINE}.owner_team", "sec"), "lines_of_defence[0].owner_team: unknown team 'sec'", id="unknown-team"
    ),
    pytest.param(
        set_at(f"{LINE}.claims", ["nothing"]), "lines_of_defence[0].claims[0]: unknown claim 'nothing'", id="no-claim"
    ),
    pytest.param(
        set_at("lines_of_defence.2.claims", ["egress-monitoring"]),
        "lines_of_defence[2].claims[0]: claim 'egress-monitoring' is not one its pathway 'code-backdoors' rests on",
        id="claim-of-another-pathway",
    ),
    pytest.param(
        set_at(f"{LINE}.claims", ["egress-monitoring", "egress-monitoring"]),
        "lines_of_defence[0].claims[1]: claim 'egress-monitoring' is listed twice",
        id="claim-twice",
    ),
    pytest.param(
        set_at(f"{LINE}.evidence", ["nothing"]),
        "lines_of_defence[0].evidence[0]: unknown evidence 'nothing'",
        id="no-evidence",
    ),
    pytest.param(
        set_at(f"{LINE}.evidence", ["access-audit", "access-audit"]),
        "lines_of_defence[0].evidence[1]: evidence 'access-audit' is listed twice",
        id="evidence-twice",
    ),
    pytest.param(
        set_at("lines_of_defence.1.slug", "egress-alerting"),
        "lines_of_defence[1].slug: duplicate line of defence slug 'egress-alerting' (first used at "
        "lines_of_defence[0])",
        id="duplicate-slug",
    ),
    pytest.param(
        set_at(f"{LINE}.slug", "Egress_Alerting"),
        "lines_of_defence[0].slug: 'Egress_Alerting' is not a valid slug",
        id="bad-slug",
    ),
    pytest.param(
        set_at(f"{LINE}.title", "Alerting [[internal]]by MON-7[[/internal]]"),
        "lines_of_defence[0].title: redaction spans are only allowed in Markdown fields",
        id="span-in-title",
    ),
    pytest.param(
        set_at(f"{LINE}.strength_reason", "Because [[internal]]it never ends"),
        "lines_of_defence[0].strength_reason: unclosed [[internal]] span",
        id="unclosed-span",
    ),
    pytest.param(set_at(f"{LINE}.title", "x" * 301), "lines_of_defence[0].title: is 301 characters long", id="long"),
    pytest.param(set_at(f"{LINE}.title", 7), "lines_of_defence[0].title: must be a string, not a number", id="number"),
    pytest.param(set_at(f"{LINE}.claims", "egress-monitoring"), "lines_of_defence[0].claims: must be a list", id="str"),
    pytest.param(set_at("lines_of_defence", {"a": 1}), "lines_of_defence: must be a list, not a mapping", id="mapping"),
    pytest.param(set_at(LINE, "egress-alerting"), "lines_of_defence[0]: must be a mapping", id="not-a-mapping"),
]


@pytest.mark.parametrize("change, expected", BAD_LINES)
def test_a_bad_line_is_refused_by_its_path_and_nothing_is_written(db, tmp_path, change, expected):
    assert_refused_by_path(tmp_path, change, expected)


def test_a_bad_line_in_an_update_leaves_the_report_as_it_was(db, tmp_path):
    import_report(SMALL)
    before = table_rows()
    document = small_document()
    document["lines_of_defence"][0]["strength"] = "weak"  # a good change beside the bad one
    document["lines_of_defence"][1]["pathway"] = "nowhere"

    errors = import_refused(write(tmp_path, document), "--update")

    assert errors == ["lines_of_defence[1].pathway: unknown pathway 'nowhere'"]
    assert table_rows() == before


def test_an_export_below_internal_leaves_out_lines_above_its_level_and_what_they_may_not_read(world):
    lines = exported_section(world.report, "reviewer", "lines_of_defence")

    assert set(lines) == {"egress-alerting", "gov-review"}
    assert lines["egress-alerting"]["claims"] == ["egress-monitoring"]  # not the internal claim
    assert lines["egress-alerting"]["evidence"] == ["egress-review"]  # not the internal evidence
    assert lines["egress-alerting"]["strength_reason"] == "Paged on-call. [redacted]"
    assert set(exported_section(world.report, "internal", "lines_of_defence")) == {
        "egress-alerting",
        "internal-line",
        "gov-review",
    }


def test_a_pathway_limited_reviewer_s_export_has_only_their_pathways_lines(world, external_reviewer):
    document = report_export_document(report=world.report, level="reviewer", fmt="yaml", user=external_reviewer)

    assert [entry["slug"] for entry in yaml.safe_load(document.content)["lines_of_defence"]] == ["egress-alerting"]
    assert document.summary["lines_above_level"] == 0  # the internal line is not theirs to count
    for secret in (CANARY_INTERNAL_LINE, CANARY_INTERNAL_SPAN, CANARY_OUT_OF_SCOPE):
        assert secret not in document.content


def test_the_markdown_export_lists_each_pathway_s_lines_with_their_independence(world):
    markdown = report_export(report=world.report, level="internal", fmt="md")

    exfiltration = markdown[markdown.index("Self-exfiltration") : markdown.index("Code backdoors")]
    # The two lines share the internal claim: only one of them counts as independent.
    assert "**Lines of defence:** 1 of 2 independent of one another (fewer than two: flagged)" in exfiltration
    assert "*Line of defence: Egress alerting* (`egress-alerting`) — Automated monitoring" in exfiltration
    assert "Rests on: claim `egress-monitoring`, claim `internal-only`" in exfiltration


def test_a_claim_that_leaves_a_pathway_leaves_its_lines_and_the_report_file_stays_valid(world, author):
    claim = world.public_claim
    claim_update(claim=claim, editor=author, version=claim.version, pathways=[world.also_in_scope])

    assert list(world.public_line.claim_links.values_list("claim__slug", flat=True)) == ["internal-only"]
    assert validate_report_document(report_document(report=world.report), update=True) == []
