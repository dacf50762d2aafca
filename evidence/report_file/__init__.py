"""The `riskreport/1` report file: reading, checking, importing and exporting it.

The format is specified in docs/report-format.md; each module states the rules it applies.
"""

from evidence.report_file.exporting import report_export
from evidence.report_file.importing import report_import
from evidence.report_file.validation import (
    ReportFileError,
    ReportFileInvalid,
    load_report_file,
    validate_report_document,
)

__all__ = [
    "ReportFileError",
    "ReportFileInvalid",
    "load_report_file",
    "report_export",
    "report_import",
    "validate_report_document",
]
