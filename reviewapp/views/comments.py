"""Comments: threads on pathways, claims, evidence and conclusions."""

urlpatterns = []


def panel_context(request, *, report, scope, subject) -> dict:
    """Context for the discussion part of the right-hand column of a pathway, claim or evidence page."""
    return {}
