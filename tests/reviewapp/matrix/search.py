"""Permission-matrix rows for search: every signed-in person may search what they see;
a search kept to a report answers 404 to whoever cannot open that report, as its pages do."""

from tests.reviewapp.matrix import HTMX, REPORT_PAGE, SIGNED_IN, Row

SEARCH = {**SIGNED_IN, "anonymous": 302}
NO_SUCH_REPORT = {**dict.fromkeys(SIGNED_IN, 404), "anonymous": 302}

ROWS = [
    Row("search", SEARCH),
    Row("search", SEARCH, data={"q": "egress"}, label="everywhere"),
    Row("search", {**SEARCH, "anonymous": 200}, data={"q": "egress"}, headers=HTMX, label="everywhere"),
    Row("search", REPORT_PAGE, data={"q": "egress", "report": "pilot"}, label="in-report"),
    Row("search", REPORT_PAGE, data={"q": "egress", "report": "pilot", "kind": "claim"}, label="in-report-kind"),
    Row("search", NO_SUCH_REPORT, data={"q": "egress", "report": "no-such-report"}, label="no-report"),
    Row("search", SEARCH, data={"q": "egress", "kind": "widgets"}, label="bad-kind"),
]
