"""Information requests: filing, the team inbox, answering, follow-up, close and decline."""

urlpatterns = []


def panel_context(request, *, report, scope, subject) -> dict:
    """Context for the requests part of the right-hand column of a pathway, claim or evidence page."""
    return {}


def report_context(request, *, report, scope) -> dict:
    """Context for the report page: open and overdue requests per team, median time to first answer."""
    return {}
