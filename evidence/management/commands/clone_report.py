from django.core.management.base import BaseCommand, CommandError

from evidence.services.carrying import report_start_next
from pathways.models import Report
from pathways.services import EditRefused


class Command(BaseCommand):
    help = (
        "Start the next model's report from an existing one: a new draft with its pathways, claims, evidence, "
        "teams and links, every evidence item carried forward for its team to confirm or replace. Grants, "
        "verdicts, comments, requests and sign-offs are not copied."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the report to start from")
        parser.add_argument("--slug", dest="new_slug", required=True, help="the new report's slug")
        parser.add_argument("--model", required=True, help="the model the new report is about")
        parser.add_argument("--title", default="", help="the new report's title (default: the old one, renamed)")

    def handle(self, *args, slug, new_slug, model, title, **options):
        report = Report.objects.filter(slug=slug).first()
        if report is None:
            raise CommandError(f"No report '{slug}'.")
        try:
            created = report_start_next(report=report, slug=new_slug, model_name=model, title=title)
        except EditRefused as refused:
            raise CommandError(f"Nothing was created. {_problems(refused)}")
        counts = {name: getattr(created, name).count() for name in ("pathways", "claims", "evidence_items")}
        self.stdout.write(
            f"Created draft report '{created.slug}' ({created.title}) from '{report.slug}': "
            f"{counts['pathways']} pathways, {counts['claims']} claims, {counts['evidence_items']} evidence items "
            "carried forward for their teams to confirm or replace.\n"
            f"No one has access yet: give it with manage.py grant_access --report {created.slug} --user … --role …"
        )


def _problems(refused: EditRefused) -> str:
    """The refusal, naming the option each message is about."""
    options = {"slug": "--slug", "model_name": "--model", "title": "--title"}
    return " ".join(
        f"{options[field]}: {' '.join(messages)}" if field in options else " ".join(messages)
        for field, messages in refused.errors.items()
    )
