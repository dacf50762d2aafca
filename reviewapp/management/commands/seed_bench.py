"""Fill an empty database with a lab's reviews after a few years of reports, for `make bench`.

At scale 1: 20 reports × 9 pathways × 50 claims, 50,000 evidence items, 500,000 comments,
20,000 information requests, 100,000 notifications, 200,000 audit entries and 2,000 people
with grants across reports, teams and organisations. Everything is generated in SQL
(INSERT … SELECT over generate_series), in well under a minute; ids follow from arithmetic,
so the relations between rows need no lookups. Three people are the benchmark's personas:
`bench-author` (an author of report 1), `bench-external` (an external reviewer limited to
three pathways of report 1) and `bench-team` (a member of an owning team, which owns claims
and evidence in every report). Their password is `bench-password`.

Refused on a database that already holds a report: this is not for real data.
"""

import time

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from pathways.models import Report
from reviewapp.bench_data import SEEDED_MODELS, Scale, Seeder


class Command(BaseCommand):
    help = "Fill an empty database with benchmark data (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 is a lab after a few years (default)")

    def handle(self, *args, scale, **options):
        if scale <= 0 or scale > 5:
            raise CommandError("--scale is between 0 (exclusive) and 5")
        if Report.objects.exists():
            raise CommandError(
                f"the database {connection.settings_dict['NAME']!r} already holds reports: "
                "seed_bench fills an empty database only"
            )
        sizes = Scale(scale)
        started = time.monotonic()
        connection.ensure_connection()
        # A client-side cursor: the arithmetic on the parameters wants them as SQL literals,
        # where server-side binding would type small numbers as smallint.
        with transaction.atomic(), psycopg.ClientCursor(connection.connection) as cursor:
            seeder = Seeder(cursor, sizes)
            for step in seeder.steps():
                step_started = time.monotonic()
                rows = step()
                self.stdout.write(
                    f"  {step.__name__[1:]:<16} {rows:>9,} rows  {time.monotonic() - step_started:5.1f} s"
                )
            for statement in connection.ops.sequence_reset_sql(no_style(), SEEDED_MODELS):
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"Seeded at scale {scale} in {time.monotonic() - started:.1f} s."))
