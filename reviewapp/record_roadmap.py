"""The mitigation roadmap's section of the review record (reviewapp.review_record).

The roadmap is the developer's own plan: it is written only into a record at the internal
level for a reader who reads the roadmap in the app (`ReportAccess.reads_roadmap`). Any
other record has no roadmap section and says nothing of one, so a record below the internal
level, which may be passed to outsiders, never hints that a roadmap exists."""

import datetime

from pathways.access import Access
from pathways.enums import Sensitivity
from pathways.models import Report
from reviewapp.selectors.roadmap import roadmap_in_report


def roadmap_for_record(access: Access, report: Report, level: str, today: datetime.date) -> list | None:
    """The items (overdue first), or None when the record has no roadmap section; two queries or none."""
    if level != Sensitivity.INTERNAL or not access.on(report).reads_roadmap:
        return None
    return roadmap_in_report(access, report, today)


def roadmap_section(items: list | None, add, text) -> None:
    if items is None:
        return
    add("## Mitigation roadmap")
    if not items:
        add("Nothing is on the roadmap.")
    for item in items:
        due = item.target_date.isoformat() if item.target_date else "not set"
        if item.overdue_days:
            due += f" (overdue by {item.overdue_days} day{'s' if item.overdue_days != 1 else ''})"
        add(
            f"### {item.title}",
            "\n".join(
                [
                    f"- **Status:** {item.get_status_display()}",
                    f"- **Owning team:** {item.owner_team.name}",
                    f"- **Target date:** {due}",
                    f"- **Would strengthen:** {'; '.join(pathway.title for pathway in item.pathways.all())}",
                    f"- **From:** {item.source_label}",
                ]
            ),
            text(item.description) if item.description else "",
        )
