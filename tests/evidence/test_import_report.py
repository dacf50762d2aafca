"""import_report: a good file creates the report, with a conclusion for it and each pathway, and
--update brings it to the file's state in place (keeping the keys of what remains, raising
versions and revisions only of what changed). Refused files: test_import_report_refused."""

import pytest

from evidence.models import Evidence
from evidence.report_file import ReportFileError, ReportFileInvalid, report_import
from pathways.enums import RiskLevel, Sensitivity
from pathways.models import Claim, Pathway, Report, Team
from tests.evidence.importing import SMALL, import_refused, import_report, small_document, table_rows, write


def test_it_creates_the_report_with_everything_in_file_order(db):
    output = import_report(SMALL)

    assert output.strip() == "Created report 'small-pilot': 3 pathways, 4 claims, 4 evidence, 3 teams"
    report = Report.objects.get(slug="small-pilot")
    assert report.model_name == "Model X"
    assert report.evidence_cutoff.isoformat() == "2025-08-20"
    assert "[[reviewer]]all 14 of 14[[/reviewer]]" in report.summary
    assert [pathway.slug for pathway in report.pathways.all()] == ["exfiltration", "code-backdoors", "leaks"]
    assert [pathway.position for pathway in report.pathways.all()] == [0, 1, 2]
    exfiltration = report.pathways.get(slug="exfiltration")
    assert [link.claim.slug for link in exfiltration.claim_links.all()] == [
        "egress-monitoring", "weights-access", "no-dangerous-goals",
    ]  # fmt: skip
    egress = report.claims.get(slug="egress-monitoring")
    assert egress.owner_team.slug == "monitoring"
    assert [(link.evidence.slug, link.relation) for link in egress.evidence_links.all()] == [
        ("egress-alerts-2025q3", "supports"),
        ("classifier-notes", "undermines"),
    ]
    assert report.claims.get(slug="no-dangerous-goals").sensitivity == Sensitivity.PUBLIC
    assert report.evidence_items.get(slug="alignment-audit").claim_links.get().relation == "supports"


def test_a_report_and_each_pathway_get_a_conclusion_and_an_absent_one_is_not_assessed(db):
    import_report(SMALL)

    report = Report.objects.get(slug="small-pilot")
    overall = report.conclusions.get(pathway=None)
    assert (overall.risk_level, overall.revision) == (RiskLevel.VERY_LOW, 1)
    leaks = report.pathways.get(slug="leaks").conclusion
    assert (leaks.risk_level, leaks.text) == (RiskLevel.NOT_ASSESSED, "")
    assert report.conclusions.count() == 4


def test_teams_are_shared_across_reports_and_take_their_name_from_the_file(world, tmp_path):
    teams_before = Team.objects.count()
    document = small_document()
    document["teams"][0]["name"] = "Security Engineering"

    import_report(write(tmp_path, document))

    assert Team.objects.count() == teams_before + 1  # only "monitoring" is new
    security = Team.objects.get(slug="security")
    assert security.pk == world.team.pk
    assert security.name == "Security Engineering"


def test_the_service_raises_with_every_error_and_the_error_names_its_path(db):
    document = small_document()
    document["claims"][3]["owner_team"] = "sec"

    with pytest.raises(ReportFileInvalid) as raised:
        report_import(document=document)

    assert raised.value.errors == [ReportFileError("claims[3].owner_team", "unknown team 'sec'")]
    assert str(raised.value.errors[0]) == "claims[3].owner_team: unknown team 'sec'"


def _ids(model, report) -> dict[str, int]:
    return dict(model.objects.filter(report=report).values_list("slug", "pk"))


def test_an_update_keeps_the_primary_keys_of_items_whose_slugs_remain(db, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    pathways, claims, evidence = _ids(Pathway, report), _ids(Claim, report), _ids(Evidence, report)
    conclusion = report.pathways.get(slug="exfiltration").conclusion.pk
    document = small_document()
    document["pathways"].reverse()
    document["claims"][0]["statement"] = "Large outbound transfers are detected within minutes."
    document["evidence"][0]["title"] = "Egress alert coverage review, Q3 (revised)"

    output = import_report(write(tmp_path, document), "--update")

    assert output.startswith("Updated report 'small-pilot'")
    assert Report.objects.get(slug="small-pilot").pk == report.pk
    assert _ids(Pathway, report) == pathways
    assert _ids(Claim, report) == claims
    assert _ids(Evidence, report) == evidence
    assert report.pathways.get(slug="exfiltration").conclusion.pk == conclusion
    assert [pathway.slug for pathway in report.pathways.all()] == ["leaks", "code-backdoors", "exfiltration"]


def test_an_update_deletes_items_gone_from_the_file_and_creates_new_ones(db, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    document = small_document()
    del document["pathways"][2]  # leaks
    document["pathways"][0]["claims"] = ["egress-monitoring", "weights-access"]
    document["pathways"][1]["claims"] = ["code-review"]
    del document["claims"][2]  # no-dangerous-goals
    document["evidence"] = [entry for entry in document["evidence"] if entry["slug"] != "alignment-audit"]
    document["evidence"].append(
        {"slug": "drill-log", "title": "Drill log", "kind": "red_team", "owner_team": "security"}
    )
    document["claims"][0]["evidence"].append({"evidence": "drill-log", "relation": "context"})
    document["lines_of_defence"][1]["claims"] = ["weights-access"]

    import_report(write(tmp_path, document), "--update")

    assert set(_ids(Pathway, report)) == {"exfiltration", "code-backdoors"}
    assert set(_ids(Claim, report)) == {"egress-monitoring", "weights-access", "code-review"}
    assert set(_ids(Evidence, report)) == {"egress-alerts-2025q3", "classifier-notes", "access-audit", "drill-log"}
    assert report.conclusions.count() == 3
    assert [link.claim.slug for link in report.pathways.get(slug="exfiltration").claim_links.all()] == [
        "egress-monitoring", "weights-access",
    ]  # fmt: skip
    egress = report.claims.get(slug="egress-monitoring")
    assert [(link.evidence.slug, link.relation) for link in egress.evidence_links.all()] == [
        ("egress-alerts-2025q3", "supports"),
        ("classifier-notes", "undermines"),
        ("drill-log", "context"),
    ]


def test_an_update_raises_a_conclusion_revision_only_when_its_text_or_risk_level_changed(db, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    document = small_document()
    document["report"]["conclusion"]["text"] = "Very low."
    document["pathways"][1]["conclusion"] = {"risk_level": "moderate"}
    document["pathways"][0]["title"] = "Self-exfiltration"

    import_report(write(tmp_path, document), "--update")

    revisions = {
        conclusion.pathway.slug if conclusion.pathway else None: conclusion.revision
        for conclusion in report.conclusions.select_related("pathway")
    }
    assert revisions == {None: 2, "exfiltration": 1, "code-backdoors": 2, "leaks": 1}


def test_an_update_raises_the_version_of_changed_items_only(db, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    document = small_document()
    document["pathways"][0]["argument"] = "A shorter argument."
    document["pathways"][1]["claims"].reverse()
    document["claims"][1]["evidence"][0]["relation"] = "context"
    document["evidence"][3]["source"] = "audit report AA-7"
    document["claims"].reverse()  # a move alone is not a change of content

    import_report(write(tmp_path, document), "--update")

    assert dict(report.pathways.values_list("slug", "version")) == {
        "exfiltration": 2, "code-backdoors": 2, "leaks": 1,
    }  # fmt: skip
    assert dict(report.claims.values_list("slug", "version")) == {
        "egress-monitoring": 1, "weights-access": 2, "no-dangerous-goals": 1, "code-review": 1,
    }  # fmt: skip
    assert dict(report.evidence_items.values_list("slug", "version")) == {
        "egress-alerts-2025q3": 1, "classifier-notes": 1, "access-audit": 1, "alignment-audit": 2,
    }  # fmt: skip
    assert report.claims.get(slug="code-review").position == 0


def test_losing_an_evidence_item_is_a_change_to_the_claims_linked_to_it(db, tmp_path):
    import_report(SMALL)
    report = Report.objects.get(slug="small-pilot")
    document = small_document()
    document["evidence"] = [entry for entry in document["evidence"] if entry["slug"] != "classifier-notes"]
    del document["claims"][0]["evidence"][1]
    document["lines_of_defence"][0]["evidence"] = ["egress-alerts-2025q3"]
    document["detection_chains"][0]["steps"][2]["evidence"] = []

    import_report(write(tmp_path, document), "--update")

    assert report.claims.get(slug="egress-monitoring").version == 2
    assert report.lines_of_defence.get(slug="egress-alerting").version == 2
    assert report.detection_chains.get(slug="weights-to-bucket").version == 2


def test_an_update_without_changes_changes_nothing(db):
    import_report(SMALL)
    before = table_rows()

    output = import_report(SMALL, "--update")

    assert output.startswith("Updated report 'small-pilot'")
    assert table_rows() == before


def test_an_update_of_a_new_slug_creates_the_report(db):
    output = import_report(SMALL, "--update")

    assert output.startswith("Created report 'small-pilot'")


def test_a_refused_update_leaves_the_report_as_it_was(db, tmp_path):
    import_report(SMALL)
    before = table_rows()
    document = small_document()
    del document["pathways"][0]
    document["lines_of_defence"] = [line for line in document["lines_of_defence"] if line["pathway"] != "exfiltration"]
    document["detection_chains"] = [
        chain for chain in document["detection_chains"] if chain["pathway"] != "exfiltration"
    ]
    document["report"]["conclusion"]["text"] = "Changed."
    document["claims"][0]["category"] = "vibes"

    errors = import_refused(write(tmp_path, document), "--update")

    assert errors == [
        "claims[0].category: 'vibes' is not one of: "
        "prior_expectations, alignment, capability, monitoring, security, deployment, other"
    ]
    assert table_rows() == before
