"""Steps the import_report tests share: the small report file, writing a changed copy of it,
running the command (and seeing it refuse), and reading every table the import writes."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from evidence.models import (
    ChainStep,
    ChainStepEvidence,
    ClaimEvidence,
    DefenceClaim,
    DefenceEvidence,
    DetectionChain,
    Evidence,
    LineOfDefence,
)
from pathways.models import Claim, Conclusion, Pathway, PathwayClaim, Report, Team

FILES = Path(__file__).parent / "files"
SMALL = FILES / "small-report.yaml"
TABLES = [
    Team,
    Report,
    Conclusion,
    Pathway,
    Claim,
    PathwayClaim,
    Evidence,
    ClaimEvidence,
    LineOfDefence,
    DefenceClaim,
    DefenceEvidence,
    DetectionChain,
    ChainStep,
    ChainStepEvidence,
]


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


def _parent(document: dict, path: str):
    """The mapping or list holding the value at a dotted path such as claims.3.owner_team, and its key."""
    *parents, last = path.split(".")
    for key in parents:
        document = document[int(key)] if isinstance(document, list) else document[key]
    return document, int(last) if isinstance(document, list) else last


def set_at(path: str, value):
    def change(document):
        parent, key = _parent(document, path)
        parent[key] = value

    return change


def delete_at(path: str):
    def change(document):
        parent, key = _parent(document, path)
        del parent[key]

    return change


def assert_refused_by_path(tmp_path: Path, change, expected: str) -> None:
    """The small file changed by `change` is refused with an error starting `expected`, and nothing is written."""
    document = small_document()
    change(document)
    before = table_counts()

    errors = import_refused(write(tmp_path, document))

    assert any(line.startswith(expected) for line in errors), errors
    assert table_counts() == before


def exported_section(report, level: str, section: str, user=None) -> dict[str, dict]:
    """One section of a report's export at a level, keyed by slug."""
    from evidence.report_file import report_export_document

    document = report_export_document(report=report, level=level, user=user)
    return {entry["slug"]: entry for entry in yaml.safe_load(document.content).get(section, [])}
