"""import_report refuses a bad file with every error and its path, writing nothing: bad fields,
not YAML, not a mapping of unique keys, too large, not UTF-8, missing, an existing slug without
--update, aliases, and a bounded list of short messages for a file of many mistakes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evidence.report_file import ReportFileInvalid, load_report_file, validate_report_document
from tests.evidence.importing import (
    FILES,
    SMALL,
    assert_refused_by_path,
    delete_at,
    import_refused,
    import_report,
    set_at,
    table_counts,
    table_rows,
)

BAD_DOCUMENTS = [
    pytest.param(set_at("colour", "blue"), "colour: unknown key", id="unknown-key-at-top-level"),
    pytest.param(
        set_at("report.conclusion.risk", "low"), "report.conclusion.risk: unknown key", id="unknown-key-nested"
    ),
    pytest.param(
        set_at("claims.1.evidence.0.weight", 3), "claims[1].evidence[0].weight: unknown key", id="unknown-key-in-link"
    ),
    pytest.param(
        set_at("evidence.2.slug", "egress-alerts-2025q3"),
        "evidence[2].slug: duplicate evidence slug 'egress-alerts-2025q3' (first used at evidence[0])",
        id="duplicate-slug",
    ),
    pytest.param(
        set_at("teams.2.slug", "security"), "teams[2].slug: duplicate team slug 'security'", id="duplicate-team-slug"
    ),
    pytest.param(
        set_at("pathways.1.claims", ["code-review", "code-review"]),
        "pathways[1].claims[1]: claim 'code-review' is listed twice",
        id="claim-listed-twice-in-a-pathway",
    ),
    pytest.param(
        set_at("claims.2.evidence.1.evidence", "alignment-audit"),
        "claims[2].evidence[1].evidence: evidence 'alignment-audit' is listed twice",
        id="evidence-linked-twice",
    ),
    pytest.param(set_at("claims.3.owner_team", "sec"), "claims[3].owner_team: unknown team 'sec'", id="unknown-team"),
    pytest.param(
        set_at("pathways.0.claims.1", "weights"), "pathways[0].claims[1]: unknown claim 'weights'", id="unknown-claim"
    ),
    pytest.param(
        set_at("claims.0.evidence.0.evidence", "egress"),
        "claims[0].evidence[0].evidence: unknown evidence 'egress'",
        id="unknown-evidence",
    ),
    pytest.param(set_at("claims.0.category", "vibes"), "claims[0].category: 'vibes' is not one of", id="bad-category"),
    pytest.param(set_at("evidence.0.kind", "rumour"), "evidence[0].kind: 'rumour' is not one of", id="bad-kind"),
    pytest.param(
        set_at("evidence.1.sensitivity", "secret"),
        "evidence[1].sensitivity: 'secret' is not one of",
        id="bad-sensitivity",
    ),
    pytest.param(
        set_at("claims.2.evidence.1.relation", "refutes"),
        "claims[2].evidence[1].relation: 'refutes' is not one of",
        id="bad-relation",
    ),
    pytest.param(
        set_at("pathways.0.conclusion.risk_level", "tiny"),
        "pathways[0].conclusion.risk_level: 'tiny' is not one of",
        id="bad-risk-level",
    ),
    pytest.param(
        set_at("pathways.0.argument", "Fine.\n\nThen [[internal]]a span that never ends."),
        "pathways[0].argument: unclosed [[internal]] span opened at line 3",
        id="unclosed-span",
    ),
    pytest.param(
        set_at("report.summary", "[[reviewer]]outer [[internal]]inner[[/internal]][[/reviewer]]"),
        "report.summary: nested span: [[internal]] inside [[reviewer]]",
        id="nested-span",
    ),
    pytest.param(
        set_at("evidence.0.summary", "A [[secret]]tag[[/secret]] of no level."),
        "evidence[0].summary: unknown tag [[secret]]",
        id="unknown-span-tag",
    ),
    pytest.param(
        set_at("report.conclusion.text", "Low [[reviewer]]really"),
        "report.conclusion.text: unclosed [[reviewer]] span",
        id="unclosed-span-in-a-conclusion",
    ),
    pytest.param(
        set_at("claims.0.statement", "Transfers are [[internal]]always[[/internal]] detected."),
        "claims[0].statement: redaction spans are only allowed in Markdown fields",
        id="span-in-plain-text",
    ),
    pytest.param(
        set_at("pathways.1.slug", "Code_Backdoors"),
        "pathways[1].slug: 'Code_Backdoors' is not a valid slug",
        id="bad-slug",
    ),
    pytest.param(set_at("report.slug", "-pilot"), "report.slug: '-pilot' is not a valid slug", id="bad-report-slug"),
    pytest.param(
        delete_at("claims.2.statement"), "claims[2].statement: missing: this key is required", id="missing-key"
    ),
    pytest.param(delete_at("report"), "report: missing: this key is required", id="missing-report"),
    pytest.param(delete_at("format"), "format: missing: this key is required", id="missing-format"),
    pytest.param(set_at("format", "riskreport/2"), "format: must be exactly 'riskreport/1'", id="wrong-format"),
    pytest.param(set_at("report.title", "  "), "report.title: must not be blank", id="blank-title"),
    pytest.param(set_at("report.title", 2025), "report.title: must be a string, not a number", id="number-for-text"),
    pytest.param(
        set_at("teams", {"security": "Security"}), "teams: must be a list, not a mapping", id="mapping-for-list"
    ),
    pytest.param(set_at("claims.1", "weights-access"), "claims[1]: must be a mapping", id="string-for-mapping"),
    pytest.param(
        set_at("report.evidence_cutoff", "20 August 2025"),
        "report.evidence_cutoff: must be an ISO date such as 2025-08-20",
        id="bad-date",
    ),
    pytest.param(set_at("evidence.0.source", "x" * 501), "evidence[0].source: is 501 characters long", id="too-long"),
]


@pytest.mark.parametrize("change, expected", BAD_DOCUMENTS)
def test_a_bad_file_is_refused_with_the_path_of_the_error_and_nothing_is_written(world, tmp_path, change, expected):
    assert_refused_by_path(tmp_path, change, expected)


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
