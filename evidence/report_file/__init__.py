"""The `riskreport/1` report file: reading, checking, importing and exporting it.

The format is specified in docs/report-format.md; each module states the rules it applies.
"""

from evidence.report_file.exporting import ExportDocument, report_document, report_export, report_export_document
from evidence.report_file.importing import report_import
from evidence.report_file.reading import ReportFileError, ReportFileInvalid, load_report_file
from evidence.report_file.snapshot import report_snapshot
from evidence.report_file.validation import validate_report_document
from evidence.report_file.writing import redacted_span_count

__all__ = [
    "ExportDocument",
    "ReportFileError",
    "ReportFileInvalid",
    "load_report_file",
    "redacted_span_count",
    "report_document",
    "report_export",
    "report_export_document",
    "report_import",
    "report_snapshot",
    "validate_report_document",
]
