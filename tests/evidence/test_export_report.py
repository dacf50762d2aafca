"""export_report: a report as a reader at one level sees it, in YAML that imports back to the
same report, or in Markdown for people."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from evidence.report_file import load_report_file, report_export, report_import, validate_report_document
from pathways.models import Report, Team
from tests.conftest import CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_SPAN, REVIEWER_VISIBLE

FILES = Path(__file__).parent / "files"
SMALL = FILES / "small-report.yaml"
DEMO = Path(__file__).resolve().parents[2] / "pathways" / "demo" / "demo-report.yaml"
INTERNAL_ONLY = [CANARY_INTERNAL_CLAIM, CANARY_INTERNAL_EVIDENCE, CANARY_INTERNAL_SPAN]


def export(slug: str, level: str, fmt: str = "yaml") -> str:
    out = StringIO()
    call_command("export_report", slug, level=level, format=fmt, stdout=out)
    return out.getvalue()


def import_report(path: Path) -> None:
    call_command("import_report", str(path), stdout=StringIO(), stderr=StringIO())


def empty_database() -> None:
    Report.objects.all().delete()
    Team.objects.all().delete()


def assert_round_trip(slug: str, tmp_path: Path) -> str:
    """Export at internal, import into an empty database, export again: the same bytes."""
    first = export(slug, "internal")
    exported = tmp_path / "exported.yaml"
    exported.write_text(first, encoding="utf-8")
    empty_database()

    import_report(exported)

    assert export(slug, "internal") == first
    return first


def with_defaults(document: dict) -> dict:
    """A report file as the export writes it: defaults spelled out, teams by slug."""
    for section in ("claims", "evidence"):
        for entry in document[section]:
            entry.setdefault("sensitivity", "public")
    for claim in document["claims"]:
        for link in claim.get("evidence", []):
            link.setdefault("relation", "supports")
    for line in document.get("lines_of_defence", []):
        line.setdefault("sensitivity", "public")
        line.setdefault("strength", "not_assessed")
    document["teams"].sort(key=lambda team: team["slug"])
    return document


def claim_slugs(document: dict) -> list[str]:
    return [claim["slug"] for claim in document.get("claims", [])]


def evidence_slugs(document: dict) -> list[str]:
    return [evidence["slug"] for evidence in document.get("evidence", [])]


def test_the_small_file_round_trips_exactly_and_keeps_all_it_said(db, tmp_path):
    import_report(SMALL)

    exported = assert_round_trip("small-pilot", tmp_path)

    assert yaml.safe_load(exported) == with_defaults(yaml.safe_load(SMALL.read_text()))


def test_the_demo_file_round_trips_exactly(db, tmp_path):
    import_report(DEMO)
    slug = load_report_file(DEMO)["report"]["slug"]

    exported = assert_round_trip(slug, tmp_path)

    assert yaml.safe_load(exported) == with_defaults(yaml.safe_load(DEMO.read_text()))


def test_a_report_built_in_the_app_round_trips_exactly(world, tmp_path):
    assert_round_trip("pilot", tmp_path)


AWKWARD_TEXT = [
    pytest.param("yes", id="a-yaml-boolean"),
    pytest.param("2025-01-01", id="a-yaml-date"),
    pytest.param("- a: b #c", id="yaml-syntax"),
    pytest.param("  indented first line\nthen not\n", id="leading-spaces"),
    pytest.param("a hard break  \nin Markdown\n", id="trailing-spaces"),
    pytest.param("windows\r\nline ends", id="crlf"),
    pytest.param("\n\nblank lines around\n\n\n", id="blank-lines"),
    pytest.param("no final newline\nhere", id="no-final-newline"),
    pytest.param("unicode line\u2028separator and next\x85line\n", id="unicode-line-breaks"),
    pytest.param("tab\tand émoji 😀 and « quotes »", id="unicode"),
]


@pytest.mark.parametrize("text", AWKWARD_TEXT)
def test_awkward_text_round_trips_exactly(db, text):
    document = {
        "format": "riskreport/1",
        "report": {"slug": "awkward", "title": "Awkward", "model": "Model X", "summary": text},
        "teams": [{"slug": "security", "name": "Security", "description": text}],
        "claims": [{"slug": "c", "statement": text, "category": "other", "owner_team": "security", "rationale": text}],
    }
    first = report_export(report=report_import(document=document), level="internal")
    empty_database()

    report = report_import(document=load_report_file(first))

    assert report.summary == report.claims.get().statement == text
    assert report_export(report=report, level="internal") == first


def test_the_yaml_follows_the_format_key_order_with_blocks_for_multi_line_text(db):
    import_report(SMALL)

    exported = export("small-pilot", "internal")

    assert exported.startswith("# riskreport/1 export of 'small-pilot' for readers at level internal")
    top_level = [line.split(":")[0] for line in exported.splitlines() if line[:1].isalpha()]
    assert top_level == [
        "format", "report", "teams", "pathways", "claims", "evidence", "lines_of_defence", "detection_chains",
    ]  # fmt: skip
    document = yaml.safe_load(exported)
    assert list(document["report"]) == [
        "slug", "title", "model", "version", "evidence_cutoff", "summary", "conclusion",
    ]  # fmt: skip
    assert list(document["claims"][0]) == [
        "slug", "statement", "category", "owner_team", "sensitivity", "rationale", "evidence",
    ]  # fmt: skip
    assert list(document["lines_of_defence"][0]) == [
        "slug", "pathway", "title", "kind", "stage", "owner_team", "sensitivity", "strength", "strength_reason",
        "claims", "evidence",
    ]  # fmt: skip
    assert list(document["detection_chains"][0]) == [
        "slug",
        "pathway",
        "scenario",
        "harm_after",
        "sensitivity",
        "steps",
    ]
    assert list(document["detection_chains"][0]["steps"][3]) == [
        "role", "text", "owner_team", "sensitivity", "paged", "time", "evidence",
    ]  # fmt: skip
    assert "  summary: |\n    We argue that the risk" in exported
    assert "&" not in exported and "*id" not in exported


def test_optional_keys_are_left_out_when_empty(db):
    import_report(SMALL)

    document = yaml.safe_load(export("small-pilot", "internal"))

    leaks = document["pathways"][2]
    assert leaks == {"slug": "leaks", "title": "Leaks that damage the developer"}
    assert document["teams"][0] == {"slug": "alignment", "name": "Alignment Science"}


def test_a_public_export_leaves_out_reviewer_and_internal_items_and_redacts_both_span_kinds(world):
    exported = export("pilot", "public")

    document = yaml.safe_load(exported)
    assert claim_slugs(document) == ["egress-monitoring", "gov-affordances"]
    assert evidence_slugs(document) == ["egress-review", "gov-usage"]
    assert document["pathways"][0]["claims"] == ["egress-monitoring"]
    for secret in [*INTERNAL_ONLY, REVIEWER_VISIBLE]:
        assert secret not in exported
    assert document["report"]["summary"] == "Summary with [redacted] and [redacted]."
    assert "[[" not in exported


def test_a_reviewer_export_shows_reviewer_material_but_nothing_internal(world):
    exported = export("pilot", "reviewer")

    document = yaml.safe_load(exported)
    assert claim_slugs(document) == ["egress-monitoring", "file-permissions", "gov-affordances"]
    assert evidence_slugs(document) == ["egress-review", "gov-usage"]
    assert document["pathways"][0]["claims"] == ["egress-monitoring", "file-permissions"]
    assert REVIEWER_VISIBLE in exported
    for secret in INTERNAL_ONLY:
        assert secret not in exported
    assert document["report"]["summary"] == f"Summary with [redacted] and [[reviewer]]{REVIEWER_VISIBLE}[[/reviewer]]."


def test_an_internal_export_shows_everything(world):
    exported = export("pilot", "internal")

    document = yaml.safe_load(exported)
    assert claim_slugs(document) == ["egress-monitoring", "file-permissions", "internal-only", "gov-affordances"]
    assert evidence_slugs(document) == ["egress-review", "classifier-notes", "gov-usage"]
    for secret in [*INTERNAL_ONLY, REVIEWER_VISIBLE]:
        assert secret in exported
    assert "[redacted]" not in exported.split("\n", 1)[1]  # after the header comment


def test_a_link_is_left_out_when_its_evidence_is_above_the_level(world):
    links_by_level = {
        level: yaml.safe_load(export("pilot", level))["claims"][0]["evidence"] for level in ("reviewer", "internal")
    }

    assert links_by_level["reviewer"] == [{"evidence": "egress-review", "relation": "supports"}]
    assert links_by_level["internal"] == [
        {"evidence": "egress-review", "relation": "supports"},
        {"evidence": "classifier-notes", "relation": "undermines"},
    ]


def test_teams_are_those_owning_an_included_item(db):
    import_report(SMALL)

    teams = {level: [team["slug"] for team in yaml.safe_load(export("small-pilot", level))["teams"]]
             for level in ("public", "internal")}  # fmt: skip

    # Security owns only internal claims and evidence, but steps of the public chains too.
    assert teams == {
        "public": ["alignment", "monitoring", "security"],
        "internal": ["alignment", "monitoring", "security"],
    }


@pytest.mark.parametrize("level", ["public", "reviewer"])
def test_a_lower_level_export_is_itself_a_valid_report_file(world, level):
    document = load_report_file(export("pilot", level))
    empty_database()

    assert validate_report_document(document) == []


def test_the_markdown_export_redacts_and_says_at_the_top_what_redacted_means(world):
    exported = export("pilot", "public", "md")

    first_line = exported.splitlines()[0]
    assert "level **public**" in first_line and "[redacted]" in first_line
    assert "# Pilot report" in exported
    assert "Summary with [redacted] and [redacted]." in exported
    for secret in [*INTERNAL_ONLY, REVIEWER_VISIBLE]:
        assert secret not in exported
    assert "[[" not in exported


def test_the_markdown_export_shows_included_spans_as_plain_marked_text(world):
    exported = export("pilot", "reviewer", "md")

    assert f"Summary with [redacted] and ⟦{REVIEWER_VISIBLE}⟧." in exported
    assert "text in ⟦ ⟧ is not in the public version" in exported.splitlines()[0]
    for secret in INTERNAL_ONLY:
        assert secret not in exported
    assert "Classifier notes" not in exported


def test_the_markdown_export_has_the_report_in_reading_order(db):
    import_report(SMALL)

    exported = export("small-pilot", "internal", "md")

    headings = [line for line in exported.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Summary",
        "## Overall conclusion: Very low",
        "## Pathway 1: Self-exfiltration and autonomous operation",
        "## Pathway 2: Code backdoors in infrastructure",
        "## Pathway 3: Leaks that damage the developer",
        "## Claims",
        "## Evidence",
    ]
    assert "**Undermining evidence**\n\n- Classifier notes (`classifier-notes`)" in exported
    assert "- **Evidence cut-off:** 2025-08-20" in exported


def test_the_export_can_go_to_a_file(world, tmp_path):
    output = tmp_path / "pilot.md"

    call_command("export_report", "pilot", level="reviewer", format="md", output=str(output), stdout=StringIO())

    assert output.read_text(encoding="utf-8") == export("pilot", "reviewer", "md")


def test_pdf_to_standard_output_is_refused_as_binary(world):
    with pytest.raises(CommandError, match="PDF is a binary format: give --output FILE"):
        export("pilot", "internal", "pdf")


def test_an_unknown_slug_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no report with slug 'nowhere'"):
        export("nowhere", "internal")
