"""Publishing a version: the report's current state, frozen under a name."""

from django.db import transaction
from django.db.models import Max

from evidence.report_file import report_snapshot
from pathways.access import access_of
from pathways.audit import log_action
from pathways.models import Report, User
from pathways.services import EditRefused
from versions.models import ReportVersion

NAME_MAX: int = ReportVersion._meta.get_field("name").max_length or 100


@transaction.atomic
def version_publish(*, report: Report, author: User, name: str, note: str = "") -> ReportVersion:
    """Publish the report as it stands now as version n + 1, named `name`.

    Only the report's authors publish. The report row is locked, so two publications at
    once take numbers one after the other and each keeps exactly the state it read.
    """
    if not access_of(author).on(report).may_edit:
        raise EditRefused({"__all__": ["Only the report's authors publish versions of it."]})
    name, note = (name or "").strip(), (note or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Name the version, as readers will call it (such as a date)."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"Keep the name to {NAME_MAX} characters (it has {len(name)})."]
    if errors:
        raise EditRefused(errors)
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.published_versions.filter(name__iexact=name).exists():
        raise EditRefused({"name": [f"A version of this report is already called “{name}”."]})
    document, ids = report_snapshot(report=locked)
    number = (locked.published_versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = ReportVersion.objects.create(
        report=locked,
        number=number,
        name=name,
        note=note,
        published_by=author,
        document=document,
        ids=ids,
    )
    log_action(
        report=locked,
        actor=author,
        action="versions.version.published",
        target=locked,
        data={"version": number, "name": name},
    )
    return version
