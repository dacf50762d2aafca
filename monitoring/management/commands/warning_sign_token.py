from django.core.management.base import BaseCommand, CommandError

from monitoring.services import SignInvalid, token_create, token_revoke
from pathways.models import Report


class Command(BaseCommand):
    help = (
        "Print a new bearer token with which a monitoring source reports warning signs on a report "
        "(POST /api/warning-signs/); it is shown once and stored hashed, and replaces the source's "
        "earlier token. With --revoke, revoke the source's token instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--report", required=True, help="the report's slug")
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--source", help="the monitoring source to make a token for")
        group.add_argument("--revoke", metavar="SOURCE", help="the monitoring source whose token to revoke")

    def handle(self, *args, report, source, revoke, **options):
        found = Report.objects.filter(slug=report).first()
        if found is None:
            raise CommandError(f"No report '{report}'.")
        if revoke:
            if not token_revoke(report=found, source=revoke):
                raise CommandError(f"'{revoke}' has no live token on '{found.slug}'.")
            self.stdout.write(f"Revoked the token of '{revoke}' on '{found.slug}': it is refused from now on.")
            return
        try:
            token = token_create(report=found, source=source)
        except SignInvalid as invalid:
            raise CommandError(invalid.message) from None
        self.stdout.write(
            f"A new token for '{source.strip()}' on '{found.slug}' (shown once; any earlier one is revoked):\n{token}"
        )
