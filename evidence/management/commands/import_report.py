from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.report_file import ReportFileInvalid, load_report_file, report_import
from pathways.models import Report


class Command(BaseCommand):
    help = (
        "Create a risk report from a riskreport/1 file (docs/report-format.md), or with --update bring "
        "an existing report to the file's state. Nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the report file (YAML or JSON)")
        parser.add_argument(
            "--update", action="store_true", help="the report exists: change it to match the file, keeping what stays"
        )

    def handle(self, *args, file, update, **options):
        try:
            document = load_report_file(Path(file))
            section = document.get("report")
            existed = isinstance(section, dict) and Report.objects.filter(slug=str(section.get("slug"))).exists()
            report = report_import(document=document, update=update)
        except ReportFileInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            count = len(invalid.errors)
            raise CommandError(f"{file}: {count} error{'s' if count != 1 else ''}; nothing was imported")
        counts = ", ".join(
            f"{len(document.get(section) or [])} {section}" for section in ("pathways", "claims", "evidence", "teams")
        )
        self.stdout.write(f"{'Updated' if existed else 'Created'} report '{report.slug}': {counts}")
