from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.report_file.exporting import FORMATS, report_export
from pathways.models import Report
from pathways.text import LEVELS


class Command(BaseCommand):
    help = (
        "Write a risk report as a reader at --level sees it: items above the level left out, "
        "spans above it shown as [redacted] (docs/report-format.md). PDF needs --output."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the report's slug")
        parser.add_argument("--level", required=True, choices=LEVELS, help="the reader's sensitivity level")
        parser.add_argument("--format", dest="fmt", default="yaml", choices=FORMATS, help="yaml (default), md or pdf")
        parser.add_argument("--output", help="the file to write; standard output when absent")

    def handle(self, *args, slug, level, fmt, output, **options):
        try:
            report = Report.objects.get(slug=slug)
        except Report.DoesNotExist:
            raise CommandError(f"no report with slug '{slug}'")
        if fmt == "pdf" and not output:
            # A PDF is binary: written to a terminal it is noise, and through a text stream it breaks.
            raise CommandError("PDF is a binary format: give --output FILE to write it to a file")
        try:
            exported = report_export(report=report, level=level, fmt=fmt)
        except ValueError as error:
            raise CommandError(str(error))
        if output:
            Path(output).write_bytes(exported if isinstance(exported, bytes) else exported.encode("utf-8"))
            self.stdout.write(f"Wrote '{slug}' at level {level} as {fmt} to {output}")
        else:
            assert isinstance(exported, str)  # a PDF, the one binary format, needs --output (checked above)
            self.stdout.write(exported, ending="")
