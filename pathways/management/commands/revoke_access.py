from django.core.management.base import BaseCommand, CommandError

from pathways.management.commands.grant_access import lookup_report_and_user
from pathways.services import access_revoke, groups_granting


class Command(BaseCommand):
    help = "Remove every grant a person holds on a report (effective on their next request)."

    def add_arguments(self, parser):
        parser.add_argument("--report", required=True, help="report slug")
        parser.add_argument("--user", required=True, help="username")

    def handle(self, *args, report, user, **options):
        report, person = lookup_report_and_user(report, user)
        removed = access_revoke(report=report, user=person)
        groups = groups_granting(report=report, user=person)
        if groups:
            raise CommandError(
                f"removed {removed} personal grant(s), but {person.username} still reaches {report.slug} through "
                f"group(s) {', '.join(repr(name) for name in groups)}: take them out of the group in the admin, "
                "or revoke the group's permission"
            )
        if removed:
            self.stdout.write(f"removed {removed} grant(s) of {person.username} on {report.slug}")
        else:
            self.stdout.write(f"{person.username} held no grant on {report.slug}; nothing changed")
