"""Panel builders: the parts of a page that several pages show (the right-hand column of a
pathway, claim or evidence page, a conclusion's verdicts, the report page's requests by
team). Views build pages from them; a panel never imports a view, and a view never imports
another view."""

from reviewapp.panels import comments, requests


def subject_panels(request, *, report, scope, subject) -> dict:
    """The right-hand column of a pathway, claim or evidence page, composed from each activity."""
    return {
        "subject_aside": True,
        **requests.panel_context(request, report=report, scope=scope, subject=subject),
        **comments.panel_context(request, report=report, scope=scope, subject=subject),
    }
