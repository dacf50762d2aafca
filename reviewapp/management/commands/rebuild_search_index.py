"""Write the search documents of everything, or of some reports, from the rows as they are.

The services keep the documents up to date as they write; this is for rows written around
them (an edit in the admin, data loaded in SQL) and after a change to what is indexed.
Safe to run at any time: unchanged documents are left as they are."""

import time

from django.core.management.base import BaseCommand, CommandError

from pathways.models import Report
from reviewapp.services.search import search_index_rebuild


class Command(BaseCommand):
    help = "Write the search documents of every report (or of --report SLUG, repeatable)."

    def add_arguments(self, parser):
        parser.add_argument("--report", action="append", default=[], metavar="SLUG", help="only this report")

    def handle(self, *args, report, **options):
        report_ids = None
        if report:
            found = dict(Report.objects.filter(slug__in=report).values_list("slug", "id"))
            unknown = sorted(set(report) - set(found))
            if unknown:
                raise CommandError(f"no report {', '.join(repr(slug) for slug in unknown)}")
            report_ids = list(found.values())
        started = time.monotonic()
        count = search_index_rebuild(report_ids=report_ids)
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} things in {time.monotonic() - started:.1f} s."))
