"""Permission-matrix rows of published versions.

Everyone who sees the report lists, reads and compares its versions (each at their own
level and scope); only authors publish (others who see the report get 403); anyone else
gets 404. A pathway of a version outside the reader's scope is 404 for them, as the
pathway itself is.
"""

from tests.reviewapp.matrix import REPORT_PAGE, Row
from versions.services import version_publish

PUBLISHED = {**REPORT_PAGE, "author": 302, "stress_tester": 403, "external_reviewer": 403, "leadership": 403}
PUBLISHED["team_member"] = 403


def _published(world, persona):
    return version_publish(report=world.report, author=persona("author"), name="11 February")


ROWS = [
    Row("version_list", REPORT_PAGE, kwargs={"slug": "pilot"}),
    Row("version_list", PUBLISHED, kwargs={"slug": "pilot"}, method="post", data={"name": "Mine"}, label="publish"),
    Row("version_detail", REPORT_PAGE, kwargs={"slug": "pilot", "number": 1}, setup=_published),
    Row(
        "version_pathway",
        REPORT_PAGE,
        kwargs={"slug": "pilot", "number": 1, "pathway_slug": "exfiltration"},
        setup=_published,
    ),
    Row(
        "version_pathway",
        {**REPORT_PAGE, "external_reviewer": 404},
        kwargs={"slug": "pilot", "number": 1, "pathway_slug": "government"},
        setup=_published,
        label="out-of-scope",
    ),
    Row("version_changes", REPORT_PAGE, kwargs={"slug": "pilot", "number": 1}, setup=_published),
    Row(
        "version_detail",
        {
            **REPORT_PAGE,
            **dict.fromkeys(["author", "stress_tester", "external_reviewer", "leadership", "team_member"], 404),
        },
        kwargs={"slug": "pilot", "number": 7},
        label="forged",
    ),
]
