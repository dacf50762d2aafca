"""The right-hand column of a pathway, claim or evidence page, composed from each activity."""

from reviewapp.views import comments, requests


def subject_panels(request, *, report, scope, subject) -> dict:
    return {
        "subject_aside": True,
        **requests.panel_context(request, report=report, scope=scope, subject=subject),
        **comments.panel_context(request, report=report, scope=scope, subject=subject),
    }
