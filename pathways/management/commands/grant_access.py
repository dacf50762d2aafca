from django.core.management.base import BaseCommand, CommandError

from pathways.enums import GRANTABLE_ROLES
from pathways.models import Report, User
from pathways.services import AccessError, access_grant


def lookup_user(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"no user '{username}': create the person first (createsuperuser or the admin)")


def lookup_report_and_user(report_slug: str, username: str) -> tuple[Report, User]:
    try:
        report = Report.objects.get(slug=report_slug)
    except Report.DoesNotExist:
        raise CommandError(f"no report with slug '{report_slug}'")
    return report, lookup_user(username)


class Command(BaseCommand):
    help = "Give a person a role on a report."

    def add_arguments(self, parser):
        parser.add_argument("--report", required=True, help="report slug")
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--role", required=True, choices=[role.value for role in GRANTABLE_ROLES])
        parser.add_argument("--org", default="", help="reviewer organisation (required for reviewer roles)")
        parser.add_argument("--pathways", default="", help="comma-separated pathway slugs: limits an external reviewer")

    def handle(self, *args, report, user, role, org, pathways, **options):
        report, person = lookup_report_and_user(report, user)
        pathway_slugs = [slug.strip() for slug in pathways.split(",") if slug.strip()]
        try:
            access_grant(report=report, user=person, role=role, org_name=org.strip(), pathway_slugs=pathway_slugs)
        except AccessError as error:
            raise CommandError(str(error))
        scope = f" on pathways {', '.join(pathway_slugs)}" if pathway_slugs else ""
        acting = f" for {org.strip()}" if org.strip() else ""
        self.stdout.write(f"{person.username} is now {role}{acting} on {report.slug}{scope}")
