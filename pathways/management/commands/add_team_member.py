from django.core.management.base import BaseCommand, CommandError

from pathways.management.commands.grant_access import lookup_user
from pathways.models import Team
from pathways.services import AccessError, team_member_add


class Command(BaseCommand):
    help = "Make an internal person a member of an owning team."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="team slug")
        parser.add_argument("--user", required=True, help="username")

    def handle(self, *args, team, user, **options):
        try:
            team = Team.objects.get(slug=team)
        except Team.DoesNotExist:
            raise CommandError(f"no team with slug '{team}'")
        person = lookup_user(user)
        try:
            added = team_member_add(team=team, user=person)
        except AccessError as error:
            raise CommandError(str(error))
        verb = "is now" if added else "was already"
        self.stdout.write(f"{person.username} {verb} a member of {team.slug}")
