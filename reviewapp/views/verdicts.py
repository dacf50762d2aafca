"""Verdicts on conclusions, the sign-off dashboard and sign-off decisions."""

urlpatterns = []


def annotate_pathways(pathways, *, user):
    """The pathway column's queryset, with whatever the verdict summary per pathway needs."""
    return pathways


def conclusion_context(request, *, report, scope, conclusions) -> dict:
    """Context for the verdicts shown under the given conclusions (a pathway's, or the overall one)."""
    return {}
