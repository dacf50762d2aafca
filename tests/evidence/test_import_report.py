"""import_report: a bad file is refused with every error and its path, writing nothing;
a good one creates the report, and --update brings it to the file's state in place."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from evidence.models import ClaimEvidence, Evidence
from evidence.report_file import (
    ReportFileError,
    ReportFileInvalid,
    load_report_file,
    report_import,
    validate_report_document,
)
from pathways.enums import RiskLevel, Sensitivity
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team

FILES = Path(__file__).parent / "files"
SMALL = FILES / "small-report.yaml"
TABLES = [Team, Report, Conclusion, Pathway, Claim, PathwayClaim, Evidence, ClaimEvidence]


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def table_rows() -> dict[str, list[dict]]:
    """Every row of every table the import writes, to show that nothing changed at all."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def small_document() -> dict:
    return yaml.safe_load(SMALL.read_text())


def write(tmp_path: Path, document: dict, name: str = "report.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return path


def import_report(path: Path, *options: str) -> str:
    out = StringIO()
    call_command("import_report", str(path), *options, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_refused(path: Path, *options: str) -> list[str]:
    """The error lines import_report prints for a file it refuses."""
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_report", str(path), *options, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines()


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


def _parent(document: dict, path: str):
    """The mapping or list holding the value at a dotted path such as claims.3.owner_team, and its key."""
    *parents, last = path.split(".")
    for key in parents:
        document = document[int(key)] if isinstance(document, list) else document[key]
    return document, int(last) if isinstance(document, list) else last


def _set(path: str, value):
    def change(document):
        parent, key = _parent(document, path)
        parent[key] = value

    return change


def _delete(path: str):
    def change(document):
        parent, key = _parent(document, path)
        del parent[key]

    return change


BAD_DOCUMENTS = [
    pytest.param(_set("colour", "blue"), "colour: unknown key", id="unknown-key-at-top-level"),
    pytest.param(_set("report.conclusion.risk", "low"), "report.conclusion.risk: unknown key", id="unknown-key-nested"),
    pytest.param(
        _set("claims.1.evidence.0.weight", 3), "claims[1].evidence[0].weight: unknown key", id="unknown-key-in-link"
    ),
    pytest.param(
        _set("evidence.2.slug", "egress-alerts-2025q3"),
        "evidence[2].slug: duplicate evidence slug 'egress-alerts-2025q3' (first used at evidence[0])",
        id="duplicate-slug",
    ),
    pytest.param(
        _set("teams.2.slug", "security"), "teams[2].slug: duplicate team slug 'security'", id="duplicate-team-slug"
    ),
    pytest.param(
        _set("pathways.1.claims", ["code-review", "code-review"]),
        "pathways[1].claims[1]: claim 'code-review' is listed twice",
        id="claim-listed-twice-in-a-pathway",
    ),
    pytest.param(
        _set("claims.2.evidence.1.evidence", "alignment-audit"),
        "claims[2].evidence[1].evidence: evidence 'alignment-audit' is listed twice",
        id="evidence-linked-twice",
    ),
    pytest.param(_set("claims.3.owner_team", "sec"), "claims[3].owner_team: unknown team 'sec'", id="unknown-team"),
    pytest.param(
        _set("pathways.0.claims.1", "weights"), "pathways[0].claims[1]: unknown claim 'weights'", id="unknown-claim"
    ),
    pytest.param(
        _set("claims.0.evidence.0.evidence", "egress"),
        "claims[0].evidence[0].evidence: unknown evidence 'egress'",
        id="unknown-evidence",
    ),
    pytest.param(_set("claims.0.category", "vibes"), "claims[0].category: 'vibes' is not one of", id="bad-category"),
    pytest.param(_set("evidence.0.kind", "rumour"), "evidence[0].kind: 'rumour' is not one of", id="bad-kind"),
    pytest.param(
        _set("evidence.1.sensitivity", "secret"),
        "evidence[1].sensitivity: 'secret' is not one of",
        id="bad-sensitivity",
    ),
    pytest.param(
        _set("claims.2.evidence.1.relation", "refutes"),
        "claims[2].evidence[1].relation: 'refutes' is not one of",
        id="bad-relation",
    ),
    pytest.param(
        _set("pathways.0.conclusion.risk_level", "tiny"),
        "pathways[0].conclusion.risk_level: 'tiny' is not one of",
        id="bad-risk-level",
    ),
    pytest.param(
        _set("pathways.0.argument", "Fine.\n\nThen [[internal]]a span that never ends."),
        "pathways[0].argument: unclosed [[internal]] span opened at line 3",
        id="unclosed-span",
    ),
    pytest.param(
        _set("report.summary", "[[reviewer]]outer [[internal]]inner[[/internal]][[/reviewer]]"),
        "report.summary: nested span: [[internal]] inside [[reviewer]]",
        id="nested-span",
    ),
    pytest.param(
        _set("evidence.0.summary", "A [[secret]]tag[[/secret]] of no level."),
        "evidence[0].summary: unknown tag [[secret]]",
        id="unknown-span-tag",
    ),
    pytest.param(
        _set("report.conclusion.text", "Low [[reviewer]]really"),
        "report.conclusion.text: unclosed [[reviewer]] span",
        id="unclosed-span-in-a-conclusion",
    ),
    pytest.param(
        _set("claims.0.statement", "Transfers are [[internal]]always[[/internal]] detected."),
        "claims[0].statement: redaction spans are only allowed in Markdown fields",
        id="span-in-plain-text",
    ),
    pytest.param(
        _set("pathways.1.slug", "Code_Backdoors"),
        "pathways[1].slug: 'Code_Backdoors' is not a valid slug",
        id="bad-slug",
    ),
    pytest.param(_set("report.slug", "-pilot"), "report.slug: '-pilot' is not a valid slug", id="bad-report-slug"),
    pytest.param(_delete("claims.2.statement"), "claims[2].statement: missing: this key is required", id="missing-key"),
    pytest.param(_delete("report"), "report: missing: this key is required", id="missing-report"),
    pytest.param(_delete("format"), "format: missing: this key is required", id="missing-format"),
    pytest.param(_set("format", "riskreport/2"), "format: must be exactly 'riskreport/1'", id="wrong-format"),
    pytest.param(_set("report.title", "  "), "report.title: must not be blank", id="blank-title"),
    pytest.param(_set("report.title", 2025), "report.title: must be a string, not a number", id="number-for-text"),
    pytest.param(
        _set("teams", {"security": "Security"}), "teams: must be a list, not a mapping", id="mapping-for-list"
    ),
    pytest.param(_set("claims.1", "weights-access"), "claims[1]: must be a mapping", id="string-for-mapping"),
    pytest.param(
        _set("report.evidence_cutoff", "20 August 2025"),
        "report.evidence_cutoff: must be an ISO date such as 2025-08-20",
        id="bad-date",
    ),
    pytest.param(_set("evidence.0.source", "x" * 501), "evidence[0].source: is 501 characters long", id="too-long"),
]


@pytest.mark.parametrize("change, expected", BAD_DOCUMENTS)
def test_a_bad_file_is_refused_with_the_path_of_the_error_and_nothing_is_written(world, tmp_path, change, expected):
    document = small_document()
    change(document)
    before = table_counts()

    errors = import_refused(write(tmp_path, document))

    assert any(line.startswith(expected) for line in errors), errors
    assert table_counts() == before


def test_a_file_that_is_not_yaml_is_refused_with_its_line(world):
    before = table_counts()

    errors = import_refused(FILES / "not-yaml.yaml")

    assert errors == [
        "(file): not valid YAML: while scanning a quoted scalar at line 4, column 10, "
        "found unexpected end of stream at line 6, column 1"
    ]
    assert table_counts() == before


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("", "(file): the file is empty", id="empty"),
        pytest.param("# only a comment\n", "(file): the file is empty", id="only-a-comment"),
        pytest.param("- format: riskreport/1\n", "(file): the top level must be a mapping", id="a-list"),
        pytest.param("just some words\n", "(file): the top level must be a mapping", id="a-string"),
        pytest.param(
            "format: riskreport/1\nformat: riskreport/1\n",
            "(file): not valid YAML: key 'format' appears twice in one mapping at line 2, column 1",
            id="a-key-twice",
        ),
    ],
)
def test_a_file_without_a_mapping_of_unique_keys_is_refused(world, tmp_path, text, expected):
    path = tmp_path / "report.yaml"
    path.write_text(text)
    before = table_counts()

    errors = import_refused(path)

    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert table_counts() == before


def test_a_file_over_five_mebibytes_is_refused_before_parsing(world, tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(SMALL.read_bytes() + b"#" * (5 * 1024 * 1024))
    before = table_counts()

    errors = import_refused(path)

    assert errors == ["(file): the file is larger than 5 MiB, the limit for a report file"]
    assert table_counts() == before


def test_text_over_five_mebibytes_is_refused_too():
    with pytest.raises(ReportFileInvalid, match="larger than 5 MiB"):
        load_report_file("#" * (5 * 1024 * 1024 + 1))


def test_a_file_that_is_not_utf8_is_refused(world, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("format: riskreport/1\nreport: {title: Caf\u00e9}\n".encode("latin-1"))

    errors = import_refused(path)

    assert errors == ["(file): not UTF-8 text (byte 40 cannot be decoded)"]


def test_a_missing_file_is_refused(db, tmp_path):
    errors = import_refused(tmp_path / "nowhere.yaml")

    assert errors[0].startswith("(file): cannot read ")


def test_an_existing_slug_is_refused_without_update(db):
    import_report(SMALL)
    before = table_rows()

    errors = import_refused(SMALL)

    assert errors == [
        "report.slug: a report 'small-pilot' already exists; import with --update to bring it to this file's state"
    ]
    assert table_rows() == before


def test_several_errors_are_all_reported_at_once(world):
    before = table_counts()

    errors = import_refused(FILES / "many-mistakes.yaml")

    assert errors == [
        "report.sumary: unknown key "
        "(expected one of: slug, title, model, version, evidence_cutoff, summary, conclusion)",
        "pathways[0].argument: unclosed [[reviewer]] span opened at line 1",
        "claims[0].sensitivity: 'secret' is not one of: public, reviewer, internal",
        "evidence[0].slug: 'Egress_Alerts' is not a valid slug: lower-case letters, digits and hyphens, "
        "at most 64, starting with a letter or digit",
        "claims[0].owner_team: unknown team 'sec'",
        "pathways[0].claims[1]: claim 'egress-monitoring' is listed twice",
        "claims[0].evidence[0].evidence: unknown evidence 'egress-alerts'",
    ]
    assert table_counts() == before


def test_the_command_says_how_many_errors_there_were(db):
    with pytest.raises(CommandError, match=r"many-mistakes.yaml: 7 errors; nothing was imported"):
        call_command("import_report", str(FILES / "many-mistakes.yaml"), stdout=StringIO(), stderr=StringIO())


# --update


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

    import_report(write(tmp_path, document), "--update")

    assert report.claims.get(slug="egress-monitoring").version == 2


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
    document["report"]["conclusion"]["text"] = "Changed."
    document["claims"][0]["category"] = "vibes"

    errors = import_refused(write(tmp_path, document), "--update")

    assert errors == [
        "claims[0].category: 'vibes' is not one of: "
        "prior_expectations, alignment, capability, monitoring, security, deployment, other"
    ]
    assert table_rows() == before


def test_yaml_aliases_are_refused_before_they_can_multiply(db):
    text = "format: riskreport/1\nx: &big " + "a" * 1000 + "\nclaims: [" + ", ".join(["*big"] * 500) + "]\n"
    with pytest.raises(ReportFileInvalid) as raised:
        load_report_file(text)
    assert "aliases (*big at line 3) are not allowed" in str(raised.value.errors[0])


def test_a_file_of_many_mistakes_reports_a_bounded_list_with_short_messages(db):
    long_slug = "x" * 5000
    document = {
        "format": "riskreport/1",
        "report": {"slug": "r", "title": "T", "model": "M"},
        "pathways": [{"slug": "p", "title": "P", "claims": [f"{long_slug}{i}" for i in range(1000)]}],
    }
    errors = validate_report_document(document)
    assert len(errors) == 201
    assert "more errors not shown" in str(errors[-1])
    assert max(len(str(error)) for error in errors) < 200


def test_almost_spans_in_plain_text_fields_are_refused(db):
    document = {
        "format": "riskreport/1",
        "report": {"slug": "r", "title": "T [[Internal]]secret[[/Internal]]", "model": "M"},
    }
    errors = [str(error) for error in validate_report_document(document)]
    assert "report.title: redaction spans are only allowed in Markdown fields" in errors
